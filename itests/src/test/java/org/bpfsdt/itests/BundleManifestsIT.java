package org.bpfsdt.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every bpf-sdt jar of the distribution is both an OSGi bundle and a JPMS module, and the two
 * descriptions agree: the bundle's symbolic name is the module's name; only API packages are
 * exported, with versions ({@code org.bpfsdt.api*}, or a module's own top package when it is a
 * user API, as the loader's object API is); every import outside {@code java.*} has a version
 * range; and each service the module {@code provides} for {@link java.util.ServiceLoader} is a
 * Declarative Services component of the bundle, and the other way round.
 */
class BundleManifestsIT {
    private static final Pattern VERSION_RANGE = Pattern.compile("version=\"[\\[(][0-9.]+,[0-9.]+[\\])]\"");
    private static final Pattern EXPORT_VERSION = Pattern.compile("version=\"?[0-9]+\\.[0-9]+\\.[0-9]+\"?");

    @TestFactory
    Stream<DynamicTest> everyJarIsABundleAndAModuleThatAgree() {
        return Distribution.bundles().stream()
                .filter(jar -> jar.getFileName().toString().startsWith("bpfsdt-"))
                .map(jar -> DynamicTest.dynamicTest(jar.getFileName().toString(), () -> check(jar)));
    }

    private static void check(Path jar) throws Exception {
        ModuleDescriptor module = ModuleFinder.of(jar).findAll().iterator().next().descriptor();
        assertFalse(module.isAutomatic(), jar + " has a module-info");
        try (JarFile jf = new JarFile(jar.toFile())) {
            Attributes m = jf.getManifest().getMainAttributes();
            assertEquals(module.name(), m.getValue("Bundle-SymbolicName"), "bundle symbolic name = module name");
            assertEquals("2", m.getValue("Bundle-ManifestVersion"));

            for (String export : clauses(m.getValue("Export-Package"))) {
                String pkg = export.split(";")[0];
                assertTrue(pkg.equals("org.bpfsdt.api") || pkg.startsWith("org.bpfsdt.api.") || pkg.equals(module.name()),
                        "only API packages are exported (org.bpfsdt.api*, or the module's own top package as a user API), "
                                + "never implementation packages: " + export);
                assertTrue(EXPORT_VERSION.matcher(export).find(), "exported with a version: " + export);
            }
            for (String imp : clauses(m.getValue("Import-Package"))) {
                String pkg = imp.split(";")[0];
                if (!pkg.startsWith("java.")) {
                    assertTrue(VERSION_RANGE.matcher(imp).find(), "imported with a version range: " + imp);
                }
            }
            Set<String> exportedByModule = new TreeSet<>();
            module.exports().stream().filter(e -> !e.isQualified()).forEach(e -> exportedByModule.add(e.source()));
            assertEquals(new TreeSet<>(packages(m.getValue("Export-Package"))), exportedByModule,
                    "the module exports what the bundle exports");

            Set<String> dsServices = new TreeSet<>();
            for (String xml : clauses(m.getValue("Service-Component"))) {
                try (InputStream in = jf.getInputStream(jf.getEntry(xml))) {
                    dsServices.addAll(apiServicesOf(in));
                }
            }
            Set<String> loaderServices = new TreeSet<>();
            module.provides().forEach(p -> loaderServices.add(p.service()));
            assertEquals(loaderServices, dsServices, "the services of module-info 'provides' are the DS components' API services");
        }
    }

    /** The {@code org.bpfsdt.api*} interfaces a component description provides. */
    private static List<String> apiServicesOf(InputStream componentXml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(componentXml);
        NodeList provides = doc.getElementsByTagName("provide");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < provides.getLength(); i++) {
            String iface = ((Element) provides.item(i)).getAttribute("interface");
            if (iface.startsWith("org.bpfsdt.api.")) {
                out.add(iface);
            }
        }
        return out;
    }

    private static List<String> packages(String header) {
        return clauses(header).stream().map(c -> c.split(";")[0]).toList();
    }

    /** The comma-separated clauses of a manifest header, commas inside quotes left alone. */
    static List<String> clauses(String header) {
        List<String> out = new ArrayList<>();
        if (header == null || header.isBlank()) {
            return out;
        }
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString().strip());
        return out;
    }
}

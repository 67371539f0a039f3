package org.bpfsdt.verifier;

import java.util.Objects;

import org.bpfsdt.api.BpfException;
import org.bpfsdt.api.Errno;
import org.bpfsdt.api.isa.Insn;
import org.bpfsdt.api.spi.Verifier;
import org.bpfsdt.api.spi.VerifierRequest;
import org.bpfsdt.api.spi.VerifierResult;
import org.bpfsdt.verifier.cfg.ControlFlow;
import org.bpfsdt.verifier.check.Checker;
import org.bpfsdt.verifier.check.Env;
import org.bpfsdt.verifier.check.SdtRules;
import org.bpfsdt.verifier.log.InsnPrinter;
import org.bpfsdt.verifier.log.VerifierLog;
import org.bpfsdt.verifier.rewrite.Rewriter;
import org.osgi.service.component.annotations.Component;

/**
 * The verifier service: the kernel verifier's checks, written from its documented behaviour,
 * then the rewrites the engines rely on. Stateless; each call verifies one program.
 */
@Component(service = Verifier.class)
public final class BpfVerifier implements Verifier {

    @Override
    public VerifierResult verify(VerifierRequest request) {
        Objects.requireNonNull(request, "request");
        if (request.context() == null) {
            throw BpfException.einval("the verifier needs the program type's context layout");
        }
        VerifierLog log = new VerifierLog(Math.max(0, Math.min(2, request.logLevel())), request.lineInfo());
        Env env = null;
        try {
            if (request.insns().size() > Env.COMPLEXITY_LIMIT_INSNS) {
                throw new VerifyError(Errno.E2BIG, String.format("the program has %d instructions, more than the %d allowed",
                        request.insns().size(), Env.COMPLEXITY_LIMIT_INSNS));
            }
            SdtRules.checkAttach(request);
            ControlFlow cfg = ControlFlow.analyse(request.insns());
            env = new Env(request, cfg, log);
            Rewriter rewriter = new Rewriter(env);
            new Checker(env).run();
            StackDepth.check(env);
            Rewriter.Result r = rewriter.rewrite();
            stats(log, env);
            return new VerifierResult(r.insns(), r.aux(), r.subprogs(), r.origToXlated(), r.probes(), log.toString(), env.insnProcessed);
        } catch (VerifyError e) {
            log.print(e.getMessage() + "\n");
            stats(log, env);
            // a message of several log lines reads as one sentence in the exception
            String reason = e.getMessage().replace(",\n", ", ").replace("\n", "; ");
            throw new BpfException(e.errno(), reason + where(env)).withLog(log.toString());
        } catch (StackOverflowError | RuntimeException e) {
            if (e instanceof BpfException be) {
                throw be.withLog(log.toString());
            }
            String msg = "verifier internal error: " + e;
            log.print(msg + "\n");
            throw new BpfException(Errno.EFAULT, msg, e).withLog(log.toString());
        }
    }

    /** Where the check failed, for the exception's reason (the log shows the path that led there). */
    private static String where(Env env) {
        if (env == null || env.insnProcessed == 0) {
            return "";
        }
        int i = env.insnIdx;
        Insn in = env.insns[i];
        String text = InsnPrinter.print(in, in.isLddw() && i + 1 < env.insns.length ? env.insns[i + 1] : null);
        return " (insn " + i + ": " + text.substring(text.indexOf(')') + 2) + ")";
    }

    private static void stats(VerifierLog log, Env env) {
        if (env == null || !log.enabled()) {
            return;
        }
        log.printf("processed %d insns (limit %d) max_states_per_insn %d total_states %d peak_states %d mark_read %d\n",
                env.insnProcessed, Env.COMPLEXITY_LIMIT_INSNS, env.maxStatesPerInsn, env.totalStates, env.peakStates, 0);
    }
}

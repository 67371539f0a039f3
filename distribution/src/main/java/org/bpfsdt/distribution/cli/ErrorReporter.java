package org.bpfsdt.distribution.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

import org.bpfsdt.api.BpfException;

import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failed command into one line a person can act on (and the verifier's log where there
 * is one) with exit code 1, instead of a stack trace. Anything else is a bug and keeps its trace.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
    static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) throws Exception {
        PrintWriter err = cl.getErr();
        String prefix = cl.getCommandSpec().qualifiedName() + ": ";
        switch (ex) {
            case BpfException e -> {
                err.println(prefix + e.errno() + ": " + e.reason());
                if (!e.log().isEmpty()) {
                    err.println(e.log().stripTrailing());
                }
            }
            case NoSuchFileException e -> err.println(prefix + "no such file: " + e.getFile());
            case AccessDeniedException e -> err.println(prefix + "permission denied: " + e.getFile());
            case IOException e -> err.println(prefix + "cannot read input: " + e);
            default -> throw ex;
        }
        err.flush();
        return FAILED;
    }
}

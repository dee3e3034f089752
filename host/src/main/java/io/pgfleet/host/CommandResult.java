package io.pgfleet.host;

import java.util.List;
import java.util.Arrays;

/**
 * What a finished command did.
 *
 * @param argv     what ran
 * @param exitCode its exit code
 * @param output   standard output and error, interleaved
 */
public record CommandResult(List<String> argv, int exitCode, String output) {

    /** Whether it exited 0. */
    public boolean ok() {
        return exitCode == 0;
    }

    /** The last lines of the output, enough to diagnose a failure in one message. */
    public String tail(int lines) {
        String[] all = output.strip().split("\n");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", Arrays.copyOfRange(all, from, all.length));
    }
}

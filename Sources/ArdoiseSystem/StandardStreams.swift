import Glibc

/// Standard input, output and error as a root program started by anyone must treat them: maybe closed, maybe full.
public enum StandardStreams {
    /// Run first: a closed 0, 1 or 2 is opened on /dev/null, so that the next file opened (the journal's database) can
    /// never take its number and receive error messages; a reader gone away (SIGPIPE) never stops a wipe.
    public static func secure() {
        for descriptor in Int32(0)...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let null = open("/dev/null", O_RDWR)
            if null >= 0 && null != descriptor {
                dup2(null, descriptor)
                close(null)
            }
        }
        signal(SIGPIPE, SIG_IGN)
    }

    /// One line on standard error; a full or closed stream loses the line, never the command.
    public static func error(_ line: String) { write(line + "\n", to: 2) }

    /// Text on standard output.
    public static func output(_ text: String) { write(text, to: 1) }

    /// All of `text`, or as much as a full or closed stream (or pipe) takes.
    static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}

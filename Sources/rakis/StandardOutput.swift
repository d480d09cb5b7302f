// stdout is a C global, which Swift 6 counts as shared mutable state; it is only touched here,
// once, before anything is printed.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Makes stdout flush at each newline, also into a pipe or a file (C's default there is a block
/// buffer, flushed at exit): for commands that narrate something long-running, such as
/// `rakis demo | tee demo.log`. Must run before the first print (setvbuf's rule).
func lineBufferStandardOutput() {
    setvbuf(stdout, nil, _IOLBF, 0)
}

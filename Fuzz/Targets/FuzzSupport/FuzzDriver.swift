/// The glue between SwiftPM's executables and libFuzzer. SwiftPM links an executable's `main`
/// to the symbol `<Target>_main`, so each target defines that (with `@_cdecl`) and hands its
/// check of one input to `FuzzDriver.run`, which runs libFuzzer's driver (`LLVMFuzzerRunDriver`,
/// from the runtime `-sanitize=fuzzer` links) with the target's flags: `-runs`,
/// `-max_total_time`, a corpus directory, a crash file to replay.
public enum FuzzDriver {
    public typealias Check = ([UInt8]) -> Void

    /// The target's check. libFuzzer takes a C function pointer, which cannot capture it.
    nonisolated(unsafe) static var check: Check?

    public static func run(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, check: @escaping Check) -> CInt {
        Self.check = check
        var count = argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return runDriver(&count, &arguments) { data, size in
            FuzzDriver.check?(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                       _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

import Foundation
import RakisEngine

/// Shows progress (model fetch, model load) on stderr. On a terminal: one line per step, redrawn in place only when
/// its percentage changes and ended at 100%. Otherwise (a log file, CI): plain lines at each
/// quarter, so logs stay short.
final class ProgressBar {
    private static let width = 30
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var step: String?
    private var shownPercent: Int?
    private var lineIsOpen = false

    func update(_ progress: FetchProgress) {
        update(step: "\(progress.phase.rawValue) \(progress.subject)", completed: progress.completedBytes,
               total: progress.totalBytes, amount: ByteCount.text)
    }

    /// One step's progress; `amount` renders the completed and total counts.
    func update(step label: String, completed: Int64, total: Int64?, amount: (Int64) -> String) {
        if step != label {
            finish()
            step = label
            shownPercent = nil
        }
        guard let total else {
            // pip draws its own progress below this line.
            write("\(label)\n")
            return
        }
        let percent = total > 0 ? Int(completed * 100 / total) : 100
        if isTerminal {
            guard percent != shownPercent else { return }
            let filled = Self.width * percent / 100
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: Self.width - filled)
            write("\r\u{1B}[K\(label) [\(bar)] \(percent)% \(amount(completed)) of \(amount(total))")
            lineIsOpen = true
            if percent == 100 { finish() }
        } else {
            guard percent / 25 != shownPercent.map({ $0 / 25 }) else { return }
            write("\(label): \(percent)% of \(amount(total))\n")
        }
        shownPercent = percent
    }

    /// Ends a line left open on the terminal (by a failed step), so whatever comes next starts on
    /// a line of its own.
    func finish() {
        if lineIsOpen { write("\n") }
        lineIsOpen = false
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Sizes for people: decimal units with one decimal, as disk tools and PyPI show them.
enum ByteCount {
    static func text(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}

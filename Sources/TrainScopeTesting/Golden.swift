import Foundation

/// Golden-file comparison: fails with both texts when they differ and rewrites the file when
/// `TRAINSCOPE_UPDATE_GOLDEN=1`, so a deliberate change is one command away. CI never sets it.
public enum Golden {
    public static var updating: Bool { ProcessInfo.processInfo.environment["TRAINSCOPE_UPDATE_GOLDEN"] == "1" }

    /// Returns nil when `actual` equals the file's bytes (or the file was rewritten), else a message.
    public static func compare(_ actual: [UInt8], toFile path: String) -> String? {
        if updating {
            FileManager.default.createFile(atPath: path, contents: Data(actual))
            return nil
        }
        guard let expected = FileManager.default.contents(atPath: path) else {
            return "golden file \(path) is missing; run with TRAINSCOPE_UPDATE_GOLDEN=1 to create it"
        }
        if Array(expected) == actual { return nil }
        let e = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let a = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var lines = ["golden mismatch: \(path)"]
        for i in 0..<max(e.count, a.count) {
            let el = i < e.count ? String(e[i]) : "<none>"
            let al = i < a.count ? String(a[i]) : "<none>"
            if el != al {
                lines.append("line \(i + 1):\n  expected: \(el)\n  observed: \(al)")
                if lines.count > 20 { break }
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// Paths inside the source tree, found from a test file's `#filePath`, never through `Bundle.module`,
/// so that golden updates write back into the checkout.
public enum SourceTree {
    /// The package root, found by walking up from `file` to the folder holding Package.swift.
    public static func root(from file: String = #filePath) -> String {
        var url = URL(fileURLWithPath: file).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
            url.deleteLastPathComponent()
        }
        fatalError("no Package.swift above \(file)")
    }
}

/// A temporary directory removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String
    public init(prefix: String = "trainscope-test") {
        let base = FileManager.default.temporaryDirectory.path
        let template = "\(base)/\(prefix).XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { fatalError("mkdtemp failed: \(String(cString: strerror(errno)))") }
        path = String(cString: made)
    }
    public func file(_ name: String) -> String { "\(path)/\(name)" }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

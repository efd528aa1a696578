import Foundation
import TrainScopeTesting

/// Runs the built `trainscope` binary as a user would, capturing what it prints.
enum CLI {
    static let root = SourceTree.root()

    /// The binary next to the test bundle (swift build puts both in the same folder).
    static var binary: String {
        let candidates = [Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("trainscope").path,
                          root + "/.build/debug/trainscope"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    static func run(_ arguments: [String], stdin: Data? = nil, cwd: String? = nil, environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let dir = TemporaryDirectory(prefix: "cli")
        let outPath = dir.file("out"), errPath = dir.file("err")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        if let stdin {
            let inPath = dir.file("in")
            FileManager.default.createFile(atPath: inPath, contents: stdin)
            p.standardInput = FileHandle(forReadingAtPath: inPath)
        } else {
            p.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        }
        try p.run()
        p.waitUntilExit()
        return Result(status: p.terminationStatus,
                      stdout: FileManager.default.contents(atPath: outPath) ?? Data(),
                      stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }
}

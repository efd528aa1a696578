#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import TrainScopeTesting

/// Polls `condition` until it holds or `timeout` seconds pass; true when it held.
/// Polling with a deadline is how these tests wait: never a fixed sleep taken as proof.
func poll(timeout: Double, interval: Double = 0.02, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        if Date() >= deadline { return false }
        usleep(UInt32(interval * 1_000_000))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `trainscope run` started in the background with Foundation's `Process`, its stdout and stderr going
/// to files (never pipes, so nothing the test forgets to read can block it).
final class RunningTrainscope: @unchecked Sendable {
    let process: Process
    let stdoutPath: String
    let stderrPath: String
    let started = Date()

    /// Starts `trainscope <arguments>`; with `wrapper`, runs `wrapper + [binary] + arguments` instead
    /// (to measure trainscope from a parent process, say).
    init(_ arguments: [String], in dir: TemporaryDirectory, name: String = "trainscope", wrapper: [String] = []) throws {
        stdoutPath = dir.file("\(name).stdout")
        stderrPath = dir.file("\(name).stderr")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process = Process()
        let argv = wrapper + [CLI.binary] + arguments
        process.executableURL = URL(fileURLWithPath: wrapper.isEmpty ? CLI.binary : try Executables.find(argv[0]))
        process.arguments = Array(argv.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }
    var stdout: Data { FileManager.default.contents(atPath: stdoutPath) ?? Data() }
    var stderr: String { String(decoding: FileManager.default.contents(atPath: stderrPath) ?? Data(), as: UTF8.self) }

    /// Waits for the "metrics at http://HOST:PORT/metrics" line on stderr and returns the port.
    func metricsPort(timeout: Double = 15) throws -> Int {
        var port: Int?
        _ = poll(timeout: timeout) {
            port = Self.port(in: stderr)
            return port != nil || !process.isRunning
        }
        if port == nil { port = Self.port(in: stderr) }
        guard let port else {
            throw TestFailure("no 'metrics at http://…' line on trainscope's stderr within \(timeout) s (running: \(process.isRunning)); stderr:\n\(stderr)")
        }
        return port
    }

    static func port(in text: String) -> Int? {
        guard let r = text.range(of: "metrics at http://") else { return nil }
        let rest = text[r.upperBound...]
        guard let slash = rest.firstIndex(of: "/"), let colon = rest[..<slash].lastIndex(of: ":") else { return nil }
        return Int(rest[rest.index(after: colon)..<slash])
    }

    func signal(_ signal: Int32) { _ = kill(pid, signal) }

    /// Waits for trainscope to exit and returns its exit status; a kill by a signal is reported as
    /// 1000+N, so it can never pass for an exit code. Throws (after SIGKILL) on timeout.
    @discardableResult
    func waitForExit(timeout: Double = 20) throws -> Int32 {
        if !poll(timeout: timeout, { !process.isRunning }) {
            killTree()
            throw TestFailure("trainscope still running after \(timeout) s; killed it. stderr:\n\(stderr)")
        }
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : 1000 + process.terminationStatus
    }

    var elapsed: Double { Date().timeIntervalSince(started) }

    /// SIGKILL for trainscope and everything below it (the training process has a process group of
    /// its own, so it would outlive trainscope), so a failed test leaves nothing running.
    func killTree() {
        let below = Self.descendants(of: pid)
        _ = kill(pid, SIGKILL)
        for p in below { _ = kill(-p, SIGKILL); _ = kill(p, SIGKILL) }
        process.waitUntilExit()
    }

    /// Linux: children from /proc/<pid>/task/<tid>/children, recursively.
    static func descendants(of pid: pid_t) -> [pid_t] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var children: [pid_t] = []
        for t in tasks {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(t)/children", encoding: .utf8)) ?? ""
            children += text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return children + children.flatMap { descendants(of: $0) }
    }

    deinit {
        if process.isRunning { killTree() }
    }
}

enum Executables {
    /// The full path of `name` found in PATH.
    static func find(_ name: String) throws -> String {
        if name.contains("/") { return name }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestFailure("\(name) not found on PATH (\(path))")
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `arguments[0]` (looked up in PATH) to completion with `stdin` as input.
    static func run(_ arguments: [String], stdin: Data = Data()) throws -> Output {
        let dir = TemporaryDirectory(prefix: "exec")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try find(arguments[0]))
        p.arguments = Array(arguments.dropFirst())
        _ = FileManager.default.createFile(atPath: dir.file("in"), contents: stdin)
        _ = FileManager.default.createFile(atPath: dir.file("out"), contents: nil)
        _ = FileManager.default.createFile(atPath: dir.file("err"), contents: nil)
        p.standardInput = FileHandle(forReadingAtPath: dir.file("in"))
        p.standardOutput = FileHandle(forWritingAtPath: dir.file("out"))
        p.standardError = FileHandle(forWritingAtPath: dir.file("err"))
        try p.run()
        p.waitUntilExit()
        func text(_ f: String) -> String { String(decoding: FileManager.default.contents(atPath: dir.file(f)) ?? Data(), as: UTF8.self) }
        return Output(status: p.terminationStatus, stdout: text("out"), stderr: text("err"))
    }
}

/// A minimal HTTP/1.1 GET over a socket: no proxy settings, no URLSession, one request per connection.
enum HTTP {
    struct Response {
        var status: Int
        var headers: String
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    static func get(port: Int, path: String, host: String = "127.0.0.1", timeoutSeconds: Int = 5) throws -> Response {
        let fd = socket(AF_INET, Sockets.stream, 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = Sockets.address(host: host, port: port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw TestFailure("connect \(host):\(port): \(String(cString: strerror(errno)))") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == request.count else {
            throw TestFailure("short write of the HTTP request")
        }
        var raw: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw TestFailure("read: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            raw.append(contentsOf: buffer[0..<n])
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = (0...max(0, raw.count - 4)).first(where: { Array(raw[$0..<min(raw.count, $0 + 4)]) == separator }) else {
            throw TestFailure("no HTTP header in \(raw.count) bytes: \(String(decoding: raw, as: UTF8.self))")
        }
        let head = String(decoding: raw[0..<headEnd], as: UTF8.self)
        var body = Array(raw[(headEnd + 4)...])
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        if head.lowercased().contains("transfer-encoding: chunked") { body = try dechunk(body) }
        return Response(status: status, headers: head, body: body)
    }

    static func dechunk(_ data: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            guard let lineEnd = (i..<(data.count - 1)).first(where: { data[$0] == 13 && data[$0 + 1] == 10 }),
                  let size = Int(String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16) else {
                throw TestFailure("bad chunked body")
            }
            if size == 0 { break }
            out.append(contentsOf: data[(lineEnd + 2)..<(lineEnd + 2 + size)])
            i = lineEnd + 2 + size + 2
        }
        return out
    }
}

enum Sockets {
    #if canImport(Glibc)
    static let stream = Int32(SOCK_STREAM.rawValue)
    #else
    static let stream = SOCK_STREAM
    #endif

    static func address(host: String, port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        _ = inet_pton(AF_INET, host, &addr.sin_addr)
        return addr
    }

    /// A listening TCP socket on 127.0.0.1 and a free port; close the descriptor when done.
    static func listening() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Sockets.stream, 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        var addr = address(host: "127.0.0.1", port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else { let e = errno; close(fd); throw TestFailure("bind/listen: \(String(cString: strerror(e)))") }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }
}

/// One sample line of the Prometheus text format, parsed loosely (enough for the tests' assertions).
struct ExposedSample: CustomStringConvertible {
    var name: String
    var labels: [String: String]
    var value: String
    var description: String { "\(name)\(labels.sorted { $0.key < $1.key }) \(value)" }
}

enum Exposed {
    static func parse(_ text: String) -> [ExposedSample] {
        var out: [ExposedSample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
            var name = Substring(""), labels: [String: String] = [:], rest = Substring("")
            if let brace = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") {
                name = line[..<brace]
                var s = line[line.index(after: brace)..<close]
                while let eq = s.firstIndex(of: "=") {
                    let key = String(s[..<eq]).trimmingCharacters(in: CharacterSet(charactersIn: ", "))
                    var i = s.index(eq, offsetBy: 2)   // past ="
                    var value = ""
                    while i < s.endIndex, s[i] != "\"" {
                        if s[i] == "\\", s.index(after: i) < s.endIndex {
                            i = s.index(after: i)
                            value.append(s[i] == "n" ? "\n" : s[i])
                        } else { value.append(s[i]) }
                        i = s.index(after: i)
                    }
                    labels[key] = value
                    s = i < s.endIndex ? s[s.index(after: i)...] : ""
                }
                rest = line[line.index(after: close)...]
            } else if let space = line.firstIndex(of: " ") {
                name = line[..<space]
                rest = line[space...]
            }
            out.append(ExposedSample(name: String(name), labels: labels,
                                     value: rest.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""))
        }
        return out
    }

    /// The value of the one series named `name` whose labels include `labels`.
    static func value(_ samples: [ExposedSample], _ name: String, _ labels: [String: String] = [:]) -> String? {
        let matching = samples.filter { s in s.name == name && labels.allSatisfy { s.labels[$0.key] == $0.value } }
        return matching.count == 1 ? matching[0].value : nil
    }
}

/// The run's database, read through the CLI as a user would.
struct RunRecord {
    let db: String

    func describe() throws -> [String: Any] {
        let r = try CLI.run(["describe", "--db", db])
        guard r.status == 0 else { throw TestFailure("describe exited \(r.status): \(r.stderr)") }
        guard let object = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any] else {
            throw TestFailure("describe printed no JSON object: \(r.stdoutText)")
        }
        return object
    }

    /// `metrics --format csv` rows as (timestamp, name, value), after checking the header.
    func csvRows(name: String? = nil) throws -> [(time: Double, name: String, value: Double)] {
        let r = try CLI.run(["metrics", "--db", db, "--format", "csv"] + (name.map { ["--name", $0] } ?? []))
        guard r.status == 0 else { throw TestFailure("metrics exited \(r.status): \(r.stderr)") }
        var lines = r.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.first == "timestamp,metric_name,value" else { throw TestFailure("CSV header missing: \(r.stdoutText.prefix(200))") }
        guard lines.last == "" else { throw TestFailure("CSV does not end with a newline") }
        lines.removeFirst(); lines.removeLast()
        return try lines.map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count == 3, let t = Double(f[0]), let v = f[2] == "NaN" ? Double.nan : Double(f[2]) else {
                throw TestFailure("bad CSV row \(line.debugDescription)")
            }
            return (t, String(f[1]), v)
        }
    }

    /// Values of each metric in stored order.
    func series() throws -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        for row in try csvRows() { out[row.name, default: []].append(row.value) }
        return out
    }
}

/// Compares Doubles treating NaN as equal to NaN.
func sameValues(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
}

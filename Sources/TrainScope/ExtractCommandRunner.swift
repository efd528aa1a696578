#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec
import LogMetrics
import LogSources

/// `trainscope extract`: the MetricDefinitions of a job applied to a finished log, as JSON Lines.
public enum ExtractCommandRunner {
    /// Returns the exit status. Parse failures are reported on stderr and are not errors.
    public static func run(jobPath: String, logPath: String?, maxLineBytes: Int = 1 << 20,
                           output: Int32 = 1, diagnostics: (String) -> Void) -> Int32 {
        let spec: TrainingJobSpec
        do {
            spec = try JobSpecLoader.load(path: jobPath).spec
        } catch {
            for issue in error.issues { diagnostics("\(issue)") }
            return 1
        }
        let definitions = spec.metricDefinitions
        let extractor: MetricExtractor
        do { extractor = try MetricExtractor(definitions: definitions) } catch {
            diagnostics("error: \(error)")
            return 1
        }
        let fd: Int32
        if let logPath, logPath != "-" {
            fd = open(logPath, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                diagnostics("error: cannot open log \(logPath): \(String(cString: strerror(errno)))")
                return 1
            }
        } else {
            fd = 0
        }
        defer { if fd != 0 { close(fd) } }
        var isDirectory = stat()
        if fstat(fd, &isDirectory) == 0, (isDirectory.st_mode & S_IFMT) == S_IFDIR {
            diagnostics("error: \(logPath ?? "-") is a directory, not a log")
            return 1
        }

        var writer = JSONLinesWriter(fd: output, names: definitions.map(\.name))
        let reader = LineBlockReader(fd: fd, configuration: .init(maxLineBytes: maxLineBytes))
        var line: Int64 = 0
        var inside = false
        var segments: Int64 = 0
        loop: while true {
            switch reader.next() {
            case .block(let block):
                block.forEachLine { bytes, complete in
                    if !inside { line += 1 }
                    if !complete { segments += 1 }
                    inside = !complete
                    let n = line
                    extractor.extract(line: bytes) { writer.write(line: n, definition: $0, value: $1) }
                }
            case .waiting, .endOfInput:
                break loop
            }
        }
        writer.flush()
        if reader.readError != 0 {
            diagnostics("error: reading \(logPath ?? "standard input") failed after byte \(reader.offset): \(String(cString: strerror(reader.readError)))")
            return 1
        }
        if writer.failed {
            diagnostics("error: writing the output failed: \(String(cString: strerror(errno)))")
            return 1
        }
        for (i, c) in extractor.counters.enumerated() where c.parseFailures > 0 || c.matchErrors > 0 {
            diagnostics("\(definitions[i].name): \(c.parseFailures) parse failures, \(c.matchErrors) match errors (\(c.matches) matches, \(c.values) values)")
        }
        if segments > 0 {
            diagnostics("note: \(segments) segments of lines longer than \(maxLineBytes) bytes were matched separately")
        }
        return 0
    }
}

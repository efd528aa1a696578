#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JobSpec
import LogMetrics
import LogSources

/// `trainscope validate`: every problem at once, each with its JSON path; exit 1 on any error.
public enum ValidateCommandRunner {
    public static func run(jobPath: String, samplePath: String?, strict: Bool,
                           output: (String) -> Void, diagnostics: (String) -> Void) -> Int32 {
        let issues = JobSpecLoader.validate(path: jobPath)
        for issue in issues { diagnostics("\(issue)") }
        let errors = issues.filter { $0.severity == .error }.count
        var warnings = issues.count - errors
        guard errors == 0, let loaded = try? JobSpecLoader.load(path: jobPath) else {
            diagnostics("\(jobPath): \(errors) error(s), \(warnings) warning(s)")
            return 1
        }
        let definitions = loaded.spec.metricDefinitions
        var findings = MetricLinter.lintPatterns(definitions)
        if let samplePath {
            guard let extractor = try? MetricExtractor(definitions: definitions) else { return 1 }
            let fd = open(samplePath, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                diagnostics("error: cannot open sample \(samplePath): \(String(cString: strerror(errno)))")
                return 1
            }
            defer { close(fd) }
            let reader = LineBlockReader(fd: fd)
            while case .block(let block) = reader.next() {
                block.forEachLine { line, _ in extractor.extract(line: line) { _, _ in } }
            }
            findings += MetricLinter.lintSample(definitions, counters: extractor.counters)
        }
        for f in findings { diagnostics("warning: \(f)") }
        warnings += findings.count
        output("\(jobPath): valid (\(loaded.spec.metricDefinitions.count) metric definitions, \(warnings) warning(s))")
        return strict && warnings > 0 ? 1 : 0
    }
}

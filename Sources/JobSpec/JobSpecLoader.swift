/// Entry point: a CreateTrainingJob request (`--cli-input-json` shape) in, a `TrainingJobSpec` out.
///
/// Every check runs on every request, so one run lists all problems: JSON syntax (which stops
/// everything else), the botocore shapes with the service's limits, then the rules the model does
/// not express (metric regexes, profiler intervals, rule names, credentials).
public enum JobSpecLoader {
    /// Largest request file accepted, in bytes (8 MiB).
    public static let maxFileBytes = JSONParser.maxInputBytes

    /// Reads and validates; returns the spec plus warnings, or throws JobSpecError(issues:) listing everything.
    /// `path` may carry the AWS CLI's `file://` prefix.
    public static func load(path: String) throws(JobSpecError) -> (spec: TrainingJobSpec, warnings: [ValidationIssue]) {
        try load(bytes: readFile(path), source: RequestFile.localPath(path))
    }

    /// `source` names the input in messages (`job.json:3:14: ...`).
    public static func load(bytes: [UInt8], source: String) throws(JobSpecError) -> (spec: TrainingJobSpec, warnings: [ValidationIssue]) {
        let (request, issues) = analyse(bytes: bytes, source: source)
        guard let request, !issues.contains(where: \.isError) else { throw JobSpecError(issues: issues) }
        return (TrainingJobSpec(validatedRequest: request), issues)
    }

    /// All issues, errors and warnings; empty for a clean request.
    public static func validate(bytes: [UInt8], source: String) -> [ValidationIssue] {
        analyse(bytes: bytes, source: source).issues
    }

    /// All issues for a file, including a failure to read it.
    public static func validate(path: String) -> [ValidationIssue] {
        do {
            return validate(bytes: try readFile(path), source: RequestFile.localPath(path))
        } catch {
            return error.issues
        }
    }

    private static func readFile(_ path: String) throws(JobSpecError) -> [UInt8] {
        let local = RequestFile.localPath(path)
        switch RequestFile.contents(of: local, limit: maxFileBytes) {
        case .success(let bytes): return bytes
        case .failure(let message): throw JobSpecError(issues: [ValidationIssue(.error, path: local, message.text)])
        }
    }

    private static func analyse(bytes: [UInt8], source: String) -> (request: JSONValue?, issues: [ValidationIssue]) {
        let request: JSONValue
        do {
            request = try JSONParser.parse(bytes, source: source)
        } catch {
            return (nil, [ValidationIssue(.error, path: error.location, error.message)])
        }
        guard case .object = request else {
            return (nil, [ValidationIssue(.error, path: source,
                "expected a JSON object (a CreateTrainingJob request), got \(request.kindName)")])
        }
        var issues = SchemaValidator.validate(request)
        issues += MetricDefinitionRules.check(request)
        issues += RequestRules.check(request)
        issues += RuleConfigurationRules.check(request)
        issues += CredentialDetector.check(request)
        return (request, issues)
    }
}

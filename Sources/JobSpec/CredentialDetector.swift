/// Finds credentials in HyperParameters, which SageMaker rejects: hyperparameters are shown in the
/// console, in DescribeTrainingJob and in CloudTrail, so a secret there is a leak.
///
/// Key rules are token-based so that NLP hyperparameters (`tokenizer`, `max_tokens`, `pad_token`,
/// `token_budget`) are not flagged: a false alarm blocks a job, a missed secret only repeats what
/// the user would have sent to AWS anyway. Messages name the key and the reason, never the value.
public enum CredentialDetector {
    /// Tokens that name a secret wherever they appear in a key.
    static let secretWords: Set<String> = [
        "password", "passwd", "passphrase", "secret", "secrets", "credential", "credentials",
        "apikey", "accesskey", "secretkey", "privatekey",
    ]
    /// Adjacent token pairs that name a secret (`api_key`, `apiKey`, `access-key`, `auth_token`).
    static let secretPairs: Set<[String]> = [
        ["api", "key"], ["access", "key"], ["private", "key"], ["secret", "key"],
        ["auth", "token"], ["access", "token"],
    ]
    /// Words that, before a final `token`, make it a credential (`hf_token`, `hub_token`, `githubToken`).
    /// `token` alone is one too; `token_budget` or `pad_token` are not.
    static let tokenOwners: Set<String> = [
        "auth", "access", "api", "bearer", "refresh", "session", "oauth", "personal", "security",
        "login", "client", "service", "hf", "hub", "huggingface", "github", "gh", "gitlab",
        "wandb", "slack", "aws", "bot",
    ]

    /// Why `key`/`value` look like a credential, or nil.
    public static func reason(key: String, value: String) -> String? {
        if let word = secretWord(inKey: key) {
            return "the key names a secret (\"\(word)\")"
        }
        if containsAccessKeyID(value) { return "the value looks like an AWS access key ID" }
        if containsSecretAccessKey(value) { return "the value looks like an AWS secret access key" }
        return nil
    }

    /// The word or pair in `key` that names a secret, as written in our rules (e.g. `api_key`).
    public static func secretWord(inKey key: String) -> String? {
        let tokens = keyTokens(key)
        if let word = tokens.first(where: secretWords.contains) { return word }
        for i in tokens.indices.dropLast() where secretPairs.contains([tokens[i], tokens[i + 1]]) {
            return tokens[i] + "_" + tokens[i + 1]
        }
        if tokens.last == "token" && (tokens.count == 1 || tokenOwners.contains(tokens[tokens.count - 2])) {
            return tokens.count == 1 ? "token" : tokens[tokens.count - 2] + "_token"
        }
        return nil
    }

    /// Lower-cased tokens of a key, split on `_`, `-`, `.`, whitespace and camelCase
    /// (`awsSecretAccessKey` → aws, secret, access, key; `APIKey` → api, key).
    static func keyTokens(_ key: String) -> [String] {
        var tokens: [String] = []
        var current: [Character] = []
        let chars = Array(key)
        func flush() {
            if !current.isEmpty { tokens.append(String(current).lowercased()) }
            current = []
        }
        for (i, c) in chars.enumerated() {
            if c == "_" || c == "-" || c == "." || c.isWhitespace {
                flush()
                continue
            }
            if c.isUppercase, let previous = current.last {
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { flush() }
            }
            current.append(c)
        }
        flush()
        return tokens
    }

    /// `AKIA`/`ASIA` plus 16 of [A-Z0-9], as a whole alphanumeric run (quotes, `=`, spaces around are fine).
    static func containsAccessKeyID(_ value: String) -> Bool {
        runs(in: value, of: { isAlnum($0) }).contains { run in
            run.count == 20 && (run.starts(with: Array("AKIA".utf8)) || run.starts(with: Array("ASIA".utf8)))
                && run.allSatisfy { isUpper($0) || isDigit($0) }
        }
    }

    /// 40 of [A-Za-z0-9/+] with upper, lower and a digit, as a whole run not followed by base64 `=`
    /// padding (a base64 blob is data, not a key). A lowercase hex SHA-1 has no uppercase, so passes.
    static func containsSecretAccessKey(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        return runRanges(in: bytes, of: { isAlnum($0) || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "+") })
            .contains { range in
                let run = bytes[range]
                return run.count == 40
                    && (range.upperBound == bytes.count || bytes[range.upperBound] != UInt8(ascii: "="))
                    && run.contains(where: isUpper) && run.contains(where: isLower) && run.contains(where: isDigit)
            }
    }

    private static func runs(in value: String, of member: (UInt8) -> Bool) -> [ArraySlice<UInt8>] {
        let bytes = Array(value.utf8)
        return runRanges(in: bytes, of: member).map { bytes[$0] }
    }

    private static func runRanges(in bytes: [UInt8], of member: (UInt8) -> Bool) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start: Int?
        for (i, b) in bytes.enumerated() {
            if member(b) {
                if start == nil { start = i }
            } else if let s = start {
                ranges.append(s..<i)
                start = nil
            }
        }
        if let s = start { ranges.append(s..<bytes.count) }
        return ranges
    }

    private static func isUpper(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) }
    private static func isLower(_ b: UInt8) -> Bool { (0x61...0x7A).contains(b) }
    private static func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }
    private static func isAlnum(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) || isDigit(b) }

    /// One error per offending HyperParameters entry.
    static func check(_ request: JSONValue) -> [ValidationIssue] {
        guard let entries = request["HyperParameters"]?.objectMembers else { return [] }
        let base = JSONPath.root.appending("HyperParameters")
        return entries.compactMap { entry in
            let value = entry.value.stringValue ?? ""
            guard let reason = reason(key: entry.key, value: value) else { return nil }
            return .error(base.appending(entry.key),
                "looks like a credential: \(reason); SageMaker rejects credentials in HyperParameters "
                    + "(use the job's IAM role or a secrets manager)")
        }
    }
}

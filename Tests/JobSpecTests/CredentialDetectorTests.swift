import Testing
@testable import JobSpec

@Suite struct CredentialDetectorTests {
    static let accessKeyID = "AKIAIOSFODNN7EXAMPLE"
    static let sessionKeyID = "ASIAY34FZKBOKMUTVV7A"
    static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    @Test(arguments: [
        ("aws_key_id", "\"\(accessKeyID)\"", "HyperParameters.aws_key_id", "the value looks like an AWS access key ID"),
        ("session", sessionKeyID, "HyperParameters.session", "the value looks like an AWS access key ID"),
        ("signature", secretAccessKey, "HyperParameters.signature", "the value looks like an AWS secret access key"),
        ("aws_secret_access_key", "x", "HyperParameters.aws_secret_access_key", "the key names a secret (\"secret\")"),
        ("password", "hunter2", "HyperParameters.password", "the key names a secret (\"password\")"),
    ])
    func credentialsAreErrors(key: String, value: String, path: String, reason: String) {
        let found = errors(request(#""HyperParameters":{\#(jsonString(key)):\#(jsonString(value))}"#))
        #expect(found.count == 1)
        #expect(found.first?.path == path)
        #expect(found.first?.message.contains(reason) == true)
        #expect(found.first?.message.contains(value) == false)
    }

    @Test(arguments: [
        "password", "db_passwd", "aws_secret_access_key", "client_secret", "clientSecret", "api_key", "apiKey",
        "APIKey", "api-key", "apikey", "access_key", "AccessKey", "token", "auth_token", "access_token",
        "hf_token", "HF_TOKEN", "hub_token", "githubToken", "private_key", "credentials", "gcp.credentials",
        "my secret",
    ])
    func secretKeys(key: String) {
        #expect(CredentialDetector.secretWord(inKey: key) != nil)
    }

    @Test(arguments: [
        "tokenizer", "tokenizer_name", "max_tokens", "num_tokens", "token_budget", "tokens_per_batch",
        "pad_token", "eos_token", "bos_token_id", "max_new_tokens", "learning_rate", "keyword", "monkey",
        "passes", "secretary_count", "primary_key_column", "cache_key", "key", "access_mode",
    ])
    func ordinaryKeys(key: String) {
        #expect(CredentialDetector.secretWord(inKey: key) == nil)
    }

    @Test(arguments: [
        "\"4b825dc642cb6eb9a060e54bf8d69288fbee4904\"",   // git SHA-1: no upper case
        "s3://amzn-s3-demo-bucket/output/model/part-0001", // punctuation splits runs
        "AKIAIOSFODNN7EXAMPLEX",                          // 21 characters
        "dGhpcyBpcyBub3QgYSBzZWNyZXQgYXQgYWxsIQ12==",      // base64 data with padding
        "0.001", "[PAD]", "\"bert-base-uncased\"",
    ])
    func ordinaryValues(value: String) {
        #expect(CredentialDetector.reason(key: "v", value: value) == nil)
    }

    @Test func tokenizesKeys() {
        #expect(CredentialDetector.keyTokens("awsSecretAccessKey") == ["aws", "secret", "access", "key"])
        #expect(CredentialDetector.keyTokens("APIKey") == ["api", "key"])
        #expect(CredentialDetector.keyTokens("train.save-interval v2") == ["train", "save", "interval", "v2"])
        #expect(CredentialDetector.keyTokens("s3Key") == ["s3", "key"])
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TrainScopeTesting

/// Dashboards/trainscope-training-job.json, checked the way it is used: its layout and variables as
/// Grafana reads them, its queries by promtool, and every query against a real Prometheus (Debian's
/// `prometheus`) that scrapes a real `trainscope run` of the demo.
@Suite(.serialized) struct DashboardTests {
    static let path = CLI.root + "/Dashboards/trainscope-training-job.json"

    struct Query {
        var panel: String
        var expr: String
        var needsGPU: Bool
    }

    static func dashboard() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func queries(_ dashboard: [String: Any]) throws -> [Query] {
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        var out: [Query] = []
        for panel in panels where panel["type"] as? String != "row" {
            let title = panel["title"] as? String ?? "?"
            for t in panel["targets"] as? [[String: Any]] ?? [] {
                let expr = try #require(t["expr"] as? String, "panel \(title) has a target without expr")
                out.append(Query(panel: title, expr: expr, needsGPU: expr.contains("_gpu_")))
            }
        }
        return out
    }

    /// Grafana's variables, as a panel's query sees them with every value selected.
    static func substituted(_ expr: String, job: String) -> String {
        expr.replacingOccurrences(of: "$__rate_interval", with: "1m")
            .replacingOccurrences(of: "$training_job", with: job)
            .replacingOccurrences(of: "$host", with: ".*")
            .replacingOccurrences(of: "$metric", with: ".*")
    }

    @Test func layoutVariablesAndGenerator() throws {
        let d = try Self.dashboard()
        #expect(d["uid"] as? String == "trainscope-training-job")
        #expect((d["schemaVersion"] as? Int ?? 0) >= 36)
        let variables = try #require((d["templating"] as? [String: Any])?["list"] as? [[String: Any]])
        #expect(variables.map { $0["name"] as? String ?? "" } == ["datasource", "training_job", "host", "metric"])
        let panels = try #require(d["panels"] as? [[String: Any]])
        var ids = Set<Int>()
        var cells = Set<[Int]>()
        for p in panels {
            let title = p["title"] as? String ?? "?"
            #expect(ids.insert(p["id"] as? Int ?? -1).inserted, "panel id of \(title) repeats")
            let grid = try #require(p["gridPos"] as? [String: Int], "\(title) has no gridPos")
            let (x, y, w, h) = (grid["x"] ?? -1, grid["y"] ?? -1, grid["w"] ?? 0, grid["h"] ?? 0)
            #expect(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0, "\(title) at \(grid)")
            for cx in x..<(x + w) { for cy in y..<(y + h) { #expect(cells.insert([cx, cy]).inserted, "\(title) overlaps another panel") } }
            if p["type"] as? String != "row" {
                #expect((p["datasource"] as? [String: String])?["uid"] == "${datasource}", "\(title) does not use the datasource variable")
                #expect(!(p["targets"] as? [Any] ?? []).isEmpty, "\(title) has no query")
            }
        }
        // Every query names the job and the host, so one dashboard serves many jobs.
        for q in try Self.queries(d) {
            #expect(q.expr.contains(#"training_job=~"$training_job""#) && q.expr.contains(#"host=~"$host""#), "\(q.panel): \(q.expr)")
        }
        // The committed file is what the generator writes.
        let check = try Executables.run(["python3", CLI.root + "/scripts/gen_dashboards.py", "--check"])
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test func everyQueryParsesForPromtool() throws {
        let promtool = try #require(try? Executables.find("promtool"), "promtool is not on PATH (apt-get install prometheus)")
        let dir = TemporaryDirectory(prefix: "dashboard-rules")
        let rules = try Self.queries(try Self.dashboard()).enumerated().map { i, q in
            "      - record: dashboard:query_\(i)\n        expr: \(Self.quoted(Self.substituted(q.expr, job: "job-a")))\n"
        }
        let file = dir.file("rules.yml")
        try ("groups:\n  - name: dashboard\n    rules:\n" + rules.joined()).write(toFile: file, atomically: true, encoding: .utf8)
        let r = try Executables.run([promtool, "check", "rules", file])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("SUCCESS: \(rules.count) rules found"), "\(r.stdout)")
    }

    /// YAML double-quoted string.
    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The demo under `trainscope run`, scraped each second by Prometheus: every panel's query
    /// returns series (the GPU panels only where there is a GPU).
    @Test func everyPanelHasDataFromARealPrometheus() throws {
        let prometheus = try #require(try? Executables.find("prometheus"), "prometheus is not on PATH (apt-get install prometheus)")
        let dir = TemporaryDirectory(prefix: "e2e-dashboard")
        let jobFile = CLI.root + "/Examples/job.json"
        let jobJSON = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: jobFile))) as? [String: Any])
        let jobName = try #require(jobJSON["TrainingJobName"] as? String)
        // Prometheus first, scraping the port trainscope will listen on: the series that exist only
        // while the training process runs (its process tree) must be scraped during the run.
        let (probe, port) = try Sockets.listening()
        close(probe)
        let (promProbe, promPort) = try Sockets.listening()
        close(promProbe)
        let config = dir.file("prometheus.yml")
        try """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: trainscope
            static_configs: [{targets: ["127.0.0.1:\(port)"]}]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: prometheus)
        server.arguments = ["--config.file=\(config)", "--storage.tsdb.path=\(dir.file("tsdb"))",
                            "--web.listen-address=127.0.0.1:\(promPort)", "--log.level=warn"]
        server.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let log = dir.file("prometheus.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        server.standardError = FileHandle(forWritingAtPath: log)
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        #expect(poll(timeout: 30, interval: 0.2) { (try? HTTP.get(port: promPort, path: "/-/ready").status) == 200 },
                "Prometheus never got ready: \(String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self))")

        // About 4 s of training: several scrapes while it runs.
        let run = try RunningTrainscope(["run", "--job", jobFile, "--ml-root", dir.file("ml"), "--listen", "127.0.0.1:\(port)", "--linger", "120",
                                         "--", "python3", CLI.root + "/Examples/train.py", "--epochs", "1", "--steps-per-epoch", "40",
                                         "--step-delay", "0.1"], in: dir)
        defer { run.killTree() }
        #expect(try run.metricsPort() == port)

        func query(_ expr: String) throws -> [[String: Any]] {
            let encoded = expr.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expr
            let r = try HTTP.get(port: promPort, path: "/api/v1/query?query=\(encoded)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any], "\(r.text)")
            guard json["status"] as? String == "success" else { throw TestFailure("query \(expr): \(r.text)") }
            return ((json["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
        }
        // The job has ended (values final, --linger keeps them served) and Prometheus has scraped a few times since.
        #expect(poll(timeout: 60) {
            Exposed.value(Exposed.parse((try? HTTP.get(port: port, path: "/metrics").text) ?? ""), "trainscope_training_job_status",
                          ["status": "Completed"]) == "1"
        }, "\(run.stderr)")
        let scraped = poll(timeout: 60, interval: 0.5) {
            let r = try? query(#"count_over_time(trainscope_training_job_status{status="Completed"}[1m]) >= 3"#)
            return !(r ?? []).isEmpty
        }
        #expect(scraped, "Prometheus did not scrape trainscope: \(String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self))")

        let gpu = FileManager.default.fileExists(atPath: "/dev/nvidia0")
        var checked = 0
        for q in try Self.queries(try Self.dashboard()) {
            let expr = Self.substituted(q.expr, job: jobName)
            let result = try query(expr)
            if q.needsGPU && !gpu {
                #expect(result.isEmpty, "\(q.panel): GPU series without a GPU? \(result)")
            } else {
                #expect(!result.isEmpty, "\(q.panel): no series for \(expr)")
                checked += 1
            }
        }
        #expect(checked >= 20)
        // The repeated panel covers every MetricDefinition of the job.
        let definitions = ((jobJSON["AlgorithmSpecification"] as? [String: Any])?["MetricDefinitions"] as? [[String: Any]]) ?? []
        let metrics = try query(#"count by (metric) (trainscope_training_metric{training_job="\#(jobName)"})"#)
        #expect(metrics.count == definitions.count, "\(metrics)")
        run.signal(SIGTERM)
        _ = try? run.waitForExit(timeout: 10)
    }
}

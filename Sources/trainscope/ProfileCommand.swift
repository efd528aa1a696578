import ArgumentParser
import Logging
import TrainScope

struct Profile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sample system metrics as SageMaker's profiler does: smdebug files, SQLite and /metrics.",
        discussion: """
            Samples CPU, memory, disk, network, the container's cgroup, a process tree (--pid) and NVIDIA \
            GPUs every ProfilerConfig.ProfilingIntervalInMilliseconds (default 500) until --duration ends \
            or SIGINT/SIGTERM. Example: trainscope profile --job job.json --duration 60
            """)

    @Option(help: "CreateTrainingJob request as JSON (file:// prefix accepted).") var job: String
    @Option(name: .customLong("ml-root"), help: "SageMaker-style root (default .trainscope/<TrainingJobName>); /opt/ml in LocalPath is re-rooted here.") var mlRoot: String?
    @Option(help: "SQLite database (default <ml-root>/trainscope.db).") var db: String?
    @Option(help: "Address of the Prometheus endpoint, HOST:PORT (default 127.0.0.1:9478; port 0 picks one).") var listen: String = "127.0.0.1:9478"
    @Option(name: .customLong("host-id"), help: "smdebug NodeId and host label, algo-N.") var hostID: String = "algo-1"
    @Option(help: "Also measure this process and its descendants.") var pid: Int32?
    @Option(help: "Stop after this many seconds (default: until SIGINT or SIGTERM).") var duration: Double?
    @Option(name: .customLong("proc-root"), help: "Where procfs is mounted.") var procRoot: String = "/proc"
    @Option(name: .customLong("sys-root"), help: "Where sysfs is mounted.") var sysRoot: String = "/sys"
    @Option(name: .customLong("cgroup-root"), help: "Where the cgroup file system is mounted (default <sys-root>/fs/cgroup).") var cgroupRoot: String?
    @Option(name: .customLong("log-level"), help: "trainscope's own log level.") var logLevel: String = "info"

    func validate() throws {
        if let duration, !(duration > 0 && duration <= 366 * 86_400) { throw ValidationError("--duration must be a positive number of seconds") }
        if let pid, pid <= 0 { throw ValidationError("--pid must be a positive process id") }
        _ = try ListenAddress.parse(listen)
    }

    func run() async throws {
        let address = try ListenAddress.parse(listen)
        let logger = makeLogger(level: Logger.Level(rawValue: logLevel) ?? .info)
        let options = ProfileOptions(jobPath: job, mlRoot: mlRoot, databasePath: db, host: address.host, port: address.port,
                                     hostID: hostID, pid: pid, durationSeconds: duration, procRoot: procRoot,
                                     sysRoot: sysRoot, cgroupRoot: cgroupRoot)
        throw ExitCode(await ProfileCommandRunner.run(options, logger: logger))
    }
}

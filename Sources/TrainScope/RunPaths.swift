import Foundation

/// Where a run writes: the SageMaker-style ML root, its log spool and the database.
struct RunPaths: Sendable {
    let mlRoot: String
    let logDirectory: String
    let database: String

    struct Error: Swift.Error, CustomStringConvertible {
        let description: String
    }

    /// Creates the folders; fails with the path when it cannot.
    static func prepare(options: RunOptions, jobName: String) throws -> RunPaths {
        let root = options.mlRoot ?? ".trainscope/\(jobName)"
        let logs = "\(root)/output/logs"
        do {
            try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        } catch {
            throw Error(description: "cannot create the log folder \(logs): \((error as NSError).localizedDescription)")
        }
        return RunPaths(mlRoot: root, logDirectory: logs, database: options.databasePath ?? "\(root)/trainscope.db")
    }
}

import JobSpec
import Logging

/// What every long-running command checks before it starts anything: the job request (all of its
/// problems logged, warnings too) and the host id that becomes a label and smdebug's NodeId.
enum CommandPreflight {
    static func loadJob(_ path: String, logger: Logger) -> TrainingJobSpec? {
        do {
            let loaded = try JobSpecLoader.load(path: path)
            for w in loaded.warnings { logger.warning("\(w)") }
            return loaded.spec
        } catch {
            for issue in error.issues { logger.error("\(issue)") }
            return nil
        }
    }

    static func checkHostID(_ hostID: String, logger: Logger) -> Bool {
        guard HostID.isValid(hostID) else {
            logger.error("--host-id \(hostID.debugDescription): use 1-64 letters, digits, '.', '_' or '-' (e.g. algo-1)")
            return false
        }
        return true
    }
}

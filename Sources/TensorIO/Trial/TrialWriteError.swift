/// Why a trial writer refused or failed a write.
public struct TrialWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The worker's step was already closed (steps of one worker only go forward).
        case stepAlreadyWritten
        /// One global step has exactly one mode.
        case modeConflict
        /// The tensor was already written at this step by this worker.
        case duplicateTensor
        /// The worker name cannot be part of a file name.
        case invalidWorker
        /// The writer was finished.
        case finished
        /// The file system refused (full disk, permissions).
        case io
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

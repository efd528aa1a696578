#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows one path the way log rotation and container runtimes treat it: rename-and-create, a
/// symlink switched to a new target, delete-and-recreate, copytruncate and truncation in place, and a
/// new file reusing a freed inode. It hands out blocks of whole lines with the identity of the file
/// they came from, so the caller can commit "this file, this offset" with the values extracted up to
/// it, and resume exactly there after a crash, even when the file was rotated while it was down.
public final class FileFollower {
    public struct Configuration: Sendable {
        public var readSize: Int
        public var maxLineBytes: Int
        public var fingerprintBytes: Int
        /// Where to start a file that has no checkpoint: its beginning, or its current end.
        public var startAtEnd: Bool
        public init(readSize: Int = 1 << 18, maxLineBytes: Int = 1 << 20, fingerprintBytes: Int = FileIdentity.maximumLength,
                    startAtEnd: Bool = false) {
            self.readSize = readSize
            self.maxLineBytes = maxLineBytes
            self.fingerprintBytes = fingerprintBytes
            self.startAtEnd = startAtEnd
        }
    }

    /// Where reading got to: the file and the offset just past the last line handed out, and the
    /// file's modification time then (ns since the epoch; nil when not known).
    public struct Checkpoint: Sendable, Equatable {
        public var file: FileIdentity
        public var offset: Int64
        public var modifiedNs: Int64?
        public init(file: FileIdentity, offset: Int64, modifiedNs: Int64? = nil) {
            self.file = file
            self.offset = offset
            self.modifiedNs = modifiedNs
        }
    }

    /// What happened to the path, for counters and notices.
    public enum Event: Sendable, Equatable {
        case opened(FileIdentity)
        /// The path now names another file; the old one is read to its end first.
        case rotated
        /// The file got shorter than what was read (copytruncate, truncation in place).
        case truncated
        /// The same inode holds other content (an inode reused, or rewritten past our offset).
        case replaced
        /// The rest of a rotated or truncated file was found beside it by fingerprint and read.
        case recoveredFromSibling(String)
        /// After a restart the checkpointed file was neither at the path nor beside it.
        case checkpointedFileLost
    }

    public struct Block {
        public let lines: LineBlockReader.Block
        /// The file the bytes are in.
        public let file: FileIdentity
        public var bytes: UnsafeRawBufferPointer { lines.bytes }
        public var offset: Int64 { lines.offset }
        /// Offset just past this block in that file: the checkpoint once its lines are stored.
        public var endOffset: Int64 { lines.offset + Int64(lines.bytes.count) }
        /// The file's modification time when the block was read (ns since the epoch), for the checkpoint.
        public let modifiedNs: Int64

        @inline(__always)
        public func forEachLine(_ body: (UnsafeRawBufferPointer, _ complete: Bool) -> Void) {
            lines.forEachLine(body)
        }
    }

    private final class OpenFile {
        let fd: Int32
        let path: String
        var identity: FileIdentity
        let reader: LineBlockReader
        /// A FIFO (or other stream) has no size, offsets or rotation: it is only read.
        let isRegular: Bool
        /// The file's modification time when it was seen empty (opened empty, or truncated): an empty
        /// file has no fingerprint, so when bytes first appear a copytruncate that happened since
        /// cannot be told from growth; rotated files newer than this time can.
        var emptySince: timespec?
        init(fd: Int32, path: String, identity: FileIdentity, reader: LineBlockReader, isRegular: Bool) {
            self.fd = fd
            self.path = path
            self.identity = identity
            self.reader = reader
            self.isRegular = isRegular
        }
        deinit { close(fd) }
    }

    public let path: String
    public let configuration: Configuration
    private var current: OpenFile?
    /// Rotated or copied files still to be read to their end, oldest first.
    private var draining: [OpenFile] = []
    private var events: [Event] = []
    /// Rotated files read to their end, newest last (a few): never queued again by their time.
    private var finished: [FileIdentity] = []
    private var pendingResume: Checkpoint?

    public init(path: String, resumeFrom checkpoint: Checkpoint?, configuration: Configuration = .init()) {
        self.path = path
        self.configuration = configuration
        pendingResume = checkpoint
    }

    /// Events since the last call.
    public func takeEvents() -> [Event] {
        defer { events.removeAll() }
        return events
    }

    /// Where reading is now: in the oldest file still being drained, or the current one.
    public var checkpoint: Checkpoint? {
        if let d = draining.first { return Checkpoint(file: d.identity, offset: d.reader.offset, modifiedNs: Self.modifiedNs(d.fd)) }
        if let c = current { return Checkpoint(file: c.identity, offset: c.reader.offset, modifiedNs: Self.modifiedNs(c.fd)) }
        return pendingResume
    }

    /// Bytes in the followed files not handed out yet (what extraction is behind by).
    public var lagBytes: Int64 {
        var lag: Int64 = 0
        for file in draining + (current.map { [$0] } ?? []) where file.isRegular {
            var st = stat()
            if fstat(file.fd, &st) == 0 { lag += max(0, Int64(st.st_size) - file.reader.offset) }
        }
        return lag
    }

    /// The next block of whole lines, or nil when there is nothing to read now.
    public func next() -> Block? {
        for _ in 0..<8 {   // each pass either returns or changes state; a few passes settle any change
            if let d = draining.first {
                if case .block(let b) = d.reader.next(follow: true, final: true) {
                    return Block(lines: b, file: d.identity, modifiedNs: Self.modifiedNs(d.fd))
                }
                finished.append(draining.removeFirst().identity)
                if finished.count > 32 { finished.removeFirst() }
                continue
            }
            if current == nil {
                guard openCurrent() else { return nil }
                continue   // a sibling found on resume comes first
            }
            guard let c = current else { return nil }
            if case .block(let b) = c.reader.next(follow: true, final: false) {
                // Checked after the read: if the bytes were replaced before it, the first bytes differ
                // now and the block (new content read at an old offset) is dropped; if after it, the
                // block is the old content, as it should be.
                if c.isRegular, c.identity.fingerprintLength > 0, !c.identity.sameContent(asFileAt: c.fd) {
                    recoverRest(of: c.identity, from: b.offset)
                    restart(c)
                    events.append(.replaced)
                    continue
                }
                if let since = c.emptySince {
                    c.emptySince = nil
                    if queueRotations(modifiedAfter: since, besides: c) {
                        restart(c)   // read again once the rotations written before these bytes are read
                        events.append(.truncated)
                        continue
                    }
                }
                growFingerprint(c)
                return Block(lines: b, file: c.identity, modifiedNs: Self.modifiedNs(c.fd))
            }
            guard checkForChange(c) else { return nil }
        }
        return nil
    }

    // MARK: - Opening and resuming

    private func open(_ path: String) -> OpenFile? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR,
              let identity = FileIdentity.of(fd: fd, length: configuration.fingerprintBytes) else { close(fd); return nil }
        let reader = LineBlockReader(fd: fd, configuration: .init(readSize: configuration.readSize,
                                                                  maxLineBytes: configuration.maxLineBytes))
        return OpenFile(fd: fd, path: path, identity: identity, reader: reader, isRegular: (st.st_mode & S_IFMT) == S_IFREG)
    }

    /// Whether the path is a FIFO or another stream rather than a regular file (read once opened).
    public var isStream: Bool { current.map { !$0.isRegular } ?? false }

    /// Opens the path; on the first open, honours the checkpoint (finishing the checkpointed file
    /// from a sibling when the path now holds another one).
    private func openCurrent() -> Bool {
        let resume = pendingResume
        guard let file = open(path) else {
            // The path is gone; a checkpointed file may still sit beside it under a rotated name.
            if let resume, let sibling = findSibling(matching: resume.file, beyond: resume.offset) {
                pendingResume = nil
                draining.append(sibling)
                events.append(.recoveredFromSibling(sibling.path))
                queueLaterRotations(after: sibling)
            }
            return false
        }
        pendingResume = nil
        guard let resume, file.isRegular else {
            if configuration.startAtEnd && file.isRegular {
                var st = stat()
                fstat(file.fd, &st)
                file.reader.seek(to: Int64(st.st_size))
            }
            current = file
            noteIfEmpty(file)
            events.append(.opened(file.identity))
            return true
        }
        var st = stat()
        fstat(file.fd, &st)
        if resume.file.sameContent(asFileAt: file.fd) {
            if Int64(st.st_size) >= resume.offset {
                file.identity = identity(of: file, atLeast: resume.file.fingerprintLength)
                file.reader.seek(to: resume.offset)
            } else {
                recoverRest(of: resume.file, from: resume.offset)
                events.append(.truncated)
            }
        } else {
            recoverRest(of: resume.file, from: resume.offset, lostIfAbsent: true, seenAt: resume.modifiedNs)
        }
        current = file
        events.append(.opened(file.identity))
        return true
    }

    // MARK: - Rotation and truncation

    /// Looks at the path again after reaching the end of the current file; true when something
    /// changed and reading should go on.
    private func checkForChange(_ c: OpenFile) -> Bool {
        guard c.isRegular else { return false }
        var st = stat()
        guard stat(path, &st) == 0 else { return false }   // gone for now: keep the open file, wait
        if UInt64(st.st_dev) != c.identity.device || UInt64(st.st_ino) != c.identity.inode {
            // Rename-and-create, a switched symlink, delete-and-recreate: finish the old file first.
            // It may have been truncated (or copytruncated) before it was renamed: then what it held
            // past our offset is looked for in a copy, and it is read again from its start.
            var own = stat()
            if fstat(c.fd, &own) == 0, Int64(own.st_size) < c.reader.offset
                || (c.identity.fingerprintLength > 0 && !c.identity.sameContent(asFileAt: c.fd)) {
                recoverRest(of: c.identity, from: c.reader.offset, withLaterRotations: false)
                restart(c)
                events.append(.truncated)
            }
            draining.append(c)
            current = nil
            events.append(.rotated)
            queueLaterRotations(after: c)
            return true
        }
        let size = Int64(st.st_size)
        if size < c.reader.offset {
            recoverRest(of: c.identity, from: c.reader.offset)
            restart(c)
            events.append(.truncated)
            return true
        }
        if c.identity.fingerprintLength > 0, !c.identity.sameContent(asFileAt: c.fd) {
            recoverRest(of: c.identity, from: c.reader.offset)
            restart(c)
            events.append(.replaced)
            return true
        }
        return false
    }

    private func restart(_ c: OpenFile) {
        c.reader.seek(to: 0)
        c.identity = identity(of: c, atLeast: 0)
        noteIfEmpty(c)
    }

    private func noteIfEmpty(_ c: OpenFile) {
        var st = stat()
        guard c.isRegular, c.identity.fingerprintLength == 0, fstat(c.fd, &st) == 0 else { return }
        c.emptySince = st.st_mtim
    }

    /// Queues the part of `file` beyond `offset` from a sibling holding the same first bytes (the copy
    /// that copytruncate made, or the file renamed while trainscope was down), then the rotated files
    /// written after it. With `lostIfAbsent` (a restart whose file is not at the path any more), when
    /// no sibling has those first bytes but one is that very file (same device and inode), the file
    /// was truncated or rewritten and then renamed while trainscope was down: it is read from its
    /// start (what it held past `offset` went with the truncation).
    ///
    /// In that case the lines written between the truncation and now may also sit in rotated files
    /// made meanwhile (a copytruncate's copy, then the rename of `file` itself): with `seenAt`, the
    /// file's modification time when the checkpoint was taken, every rotated file modified since is
    /// read, `file` among them, in order of modification.
    private func recoverRest(of file: FileIdentity, from offset: Int64, lostIfAbsent: Bool = false,
                             withLaterRotations: Bool = true, seenAt: Int64? = nil) {
        if let sibling = findSibling(matching: file, beyond: offset) {
            draining.append(sibling)
            events.append(.recoveredFromSibling(sibling.path))
            if withLaterRotations { queueLaterRotations(after: sibling) }
            return
        }
        guard lostIfAbsent else { return }
        if let seenAt {
            // `file` itself, renamed, is one of them when it was modified (truncated) since.
            let since = timespec(tv_sec: Int(seenAt / 1_000_000_000), tv_nsec: Int(seenAt % 1_000_000_000))
            events.append(queueRotations(modifiedAfter: since, besides: nil) ? .truncated : .checkpointedFileLost)
        } else if let same = rotatedFile(sameAs: file) {
            draining.append(same)
            events.append(.truncated)
            events.append(.recoveredFromSibling(same.path))
            queueLaterRotations(after: same)
        } else {
            events.append(.checkpointedFileLost)
        }
    }

    private static func modifiedNs(_ fd: Int32) -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return 0 }
        return Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }

    /// The rotation-named sibling that is `file` by device and inode, whatever it holds now; opened at 0.
    private func rotatedFile(sameAs file: FileIdentity) -> OpenFile? {
        let (folder, base) = Self.split(path)
        for name in Self.entries(of: folder, where: { Self.isRotation($0, of: base) }).sorted() {
            var st = stat()
            guard stat("\(folder)/\(name)", &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
                  UInt64(st.st_dev) == file.device, UInt64(st.st_ino) == file.inode,
                  let opened = open("\(folder)/\(name)"), opened.isRegular else { continue }
            return opened
        }
        return nil
    }

    /// Queues, oldest first, the rotated files last modified after `reference`: when the path was
    /// rotated more than once since `reference` was read (twice while trainscope was down, say), the
    /// files in between hold lines that came after `reference`'s and before the current file's, and
    /// are read whole. Each rotated file holds one stretch of the log, so its modification time (its
    /// last write, or when copytruncate copied it) orders it; files whose whole life fits in one tick
    /// of the file system's clock cannot be ordered. Left out: files already queued or open, the file
    /// now at the path, and a file with the same first bytes as the file at the path (a copytruncate
    /// copy made before the truncation: its lines are still read from the path).
    private func queueLaterRotations(after reference: OpenFile) {
        var ref = stat()
        guard reference.isRegular, fstat(reference.fd, &ref) == 0 else { return }
        queueRotations(modifiedAfter: ref.st_mtim, besides: reference)
    }

    /// Queues, oldest first, the rotated files modified after `time` (see `queueLaterRotations`);
    /// true when it queued any.
    @discardableResult
    private func queueRotations(modifiedAfter time: timespec, besides reference: OpenFile?) -> Bool {
        let (folder, base) = Self.split(path)
        let atPath = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        defer { if atPath >= 0 { close(atPath) } }
        var known = (draining + (reference.map { [$0] } ?? []) + (current.map { [$0] } ?? [])).map { [$0.identity.device, $0.identity.inode] }
        var pathStat = stat()
        if atPath >= 0, fstat(atPath, &pathStat) == 0 { known.append([UInt64(pathStat.st_dev), UInt64(pathStat.st_ino)]) }
        var later: [(name: String, st: stat)] = []
        for name in Self.entries(of: folder, where: { Self.isRotation($0, of: base) }) {
            var st = stat()
            guard stat("\(folder)/\(name)", &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
                  !known.contains([UInt64(st.st_dev), UInt64(st.st_ino)]), Self.isLater(st.st_mtim, than: time) else { continue }
            later.append((name, st))
        }
        later.sort { x, y in
            if Self.isLater(y.st.st_mtim, than: x.st.st_mtim) { return true }
            return !Self.isLater(x.st.st_mtim, than: y.st.st_mtim) && x.name < y.name
        }
        var queued = false
        for (name, _) in later {
            let candidate = "\(folder)/\(name)"
            guard let file = open(candidate), file.isRegular else { continue }
            if atPath >= 0, Self.startsAlike(file.fd, atPath) { continue }
            if finished.contains(where: { $0.device == file.identity.device && $0.inode == file.identity.inode && $0.sameContent(asFileAt: file.fd) }) { continue }
            draining.append(file)
            events.append(.recoveredFromSibling(candidate))
            queued = true
        }
        return queued
    }

    private static func isRotation(_ name: String, of base: String) -> Bool {
        name != base && name.hasPrefix(base) && !["gz", "bz2", "xz", "zst", "zip"].contains(where: { name.hasSuffix("." + $0) })
    }

    private static func isLater(_ a: timespec, than b: timespec) -> Bool {
        a.tv_sec != b.tv_sec ? a.tv_sec > b.tv_sec : a.tv_nsec > b.tv_nsec
    }

    /// Whether two files hold the same first bytes (up to the shorter's length and the fingerprint's;
    /// two empty files are not alike).
    private static func startsAlike(_ a: Int32, _ b: Int32) -> Bool {
        var sa = stat(), sb = stat()
        guard fstat(a, &sa) == 0, fstat(b, &sb) == 0 else { return false }
        let length = min(FileIdentity.maximumLength, Int(sa.st_size), Int(sb.st_size))
        guard length > 0, let fa = FileIdentity.fingerprint(fd: a, length: length) else { return false }
        return fa == FileIdentity.fingerprint(fd: b, length: length)
    }

    /// A regular file in the path's folder, named like a rotation of it (`train.log.1`,
    /// `train.log-20240101`, `0.log.20240101-120000`; compressed ones skipped), whose first bytes are
    /// `file`'s and which holds more than `offset` bytes; opened at `offset`. When the path is a
    /// symlink (as under /var/log/containers), also the file itself, by device and inode, in the folder
    /// of the link's target: a link switched while trainscope was down leaves the old target there
    /// under its own name (`0.log` beside the new `1.log`), perhaps with lines not read yet.
    private func findSibling(matching file: FileIdentity, beyond offset: Int64) -> OpenFile? {
        let (folder, base) = Self.split(path)
        let rotations = Self.entries(of: folder) { Self.isRotation($0, of: base) }
        for name in rotations.sorted() {
            if let found = openSibling("\(folder)/\(name)", matching: file, beyond: offset, sameInode: false) { return found }
        }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        var lst = stat()
        guard lstat(path, &lst) == 0, (lst.st_mode & S_IFMT) == S_IFLNK, let resolved = realpath(path, &buffer) else { return nil }
        let targetFolder = Self.split(String(cString: resolved)).folder
        for name in Self.entries(of: targetFolder, where: { $0 != "." && $0 != ".." }).sorted() {
            if let found = openSibling("\(targetFolder)/\(name)", matching: file, beyond: offset, sameInode: true) { return found }
        }
        return nil
    }

    private static func split(_ path: String) -> (folder: String, base: String) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return (folder.isEmpty ? "/" : folder, base)
    }

    /// The names in `folder` that `include` takes, at most 256 of them.
    private static func entries(of folder: String, where include: (String) -> Bool) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir), names.count < 256 {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if include(name) { names.append(name) }
        }
        return names
    }

    /// `candidate` opened at `offset` when it is a regular file with `file`'s first bytes (and, with
    /// `sameInode`, its device and inode) holding at least `offset` bytes.
    private func openSibling(_ candidate: String, matching file: FileIdentity, beyond offset: Int64, sameInode: Bool) -> OpenFile? {
        var st = stat()
        if sameInode {   // most names in the folder are other files: no need to open them
            guard stat(candidate, &st) == 0, UInt64(st.st_dev) == file.device, UInt64(st.st_ino) == file.inode else { return nil }
        }
        let fd = Glibc.open(candidate, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        // `>=`: a sibling read to its very end is still "found" (nothing left to read, nothing lost).
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int64(st.st_size) >= offset,
              !sameInode || (UInt64(st.st_dev) == file.device && UInt64(st.st_ino) == file.inode),
              file.sameContent(asFileAt: fd) else { close(fd); return nil }
        let reader = LineBlockReader(fd: fd, configuration: .init(readSize: configuration.readSize,
                                                                  maxLineBytes: configuration.maxLineBytes))
        reader.seek(to: offset)
        var identity = file
        identity.device = UInt64(st.st_dev)
        identity.inode = UInt64(st.st_ino)
        return OpenFile(fd: fd, path: candidate, identity: identity, reader: reader, isRegular: true)
    }

    // MARK: - Fingerprints

    /// Extends the fingerprint while the file is shorter than `fingerprintBytes`, so a small new file
    /// is told apart from the next one once it has grown.
    private func growFingerprint(_ c: OpenFile) {
        guard c.isRegular, c.identity.fingerprintLength < configuration.fingerprintBytes,
              c.reader.offset > Int64(c.identity.fingerprintLength) else { return }
        c.identity = identity(of: c, atLeast: c.identity.fingerprintLength)
    }

    private func identity(of c: OpenFile, atLeast minimum: Int) -> FileIdentity {
        FileIdentity.of(fd: c.fd, length: max(minimum, configuration.fingerprintBytes)) ?? c.identity
    }
}

extension Schema {
    /// v3: followed files (`trainscope tail`). `source` names each followed path; a sample's
    /// `source_id` is NULL for a run's own streams. `source_position` learns which file its offset
    /// is in (device, inode and a fingerprint of the first bytes), written in the same transaction
    /// as the samples, which is what makes a restart after kill -9 resume exactly once; `pending`
    /// holds the partial records (CRI `P`) read before that offset whose line has not ended yet.
    static let v3FollowedSources = """
        CREATE TABLE source (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        ALTER TABLE sample ADD COLUMN source_id INTEGER REFERENCES source(id);
        ALTER TABLE source_position ADD COLUMN device INTEGER;
        ALTER TABLE source_position ADD COLUMN inode INTEGER;
        ALTER TABLE source_position ADD COLUMN fingerprint INTEGER;
        ALTER TABLE source_position ADD COLUMN fingerprint_length INTEGER;
        ALTER TABLE source_position ADD COLUMN pending BLOB;
        """
}

extension Schema {
    /// v6: the followed file's modification time (ns since the epoch) when it was read up to the
    /// stored offset. After a restart whose file was truncated in place while trainscope was down,
    /// the rotated files modified after that moment hold the lines between, and are read first.
    static let v6CheckpointTime = """
        ALTER TABLE source_position ADD COLUMN file_modified_ns INTEGER;
        """
}

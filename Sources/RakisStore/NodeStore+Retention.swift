import GRDB

extension NodeStore {
    /// Keeps the `cap` most recent finished requests (by creation time) and deletes older finished
    /// ones with all their rows. Unfinished requests are never deleted, however old: a restarted
    /// node may still owe their reveals. Returns how many requests were deleted.
    @discardableResult
    public func prune(keepingFinished cap: Int) throws -> Int {
        precondition(cap >= 0, "a negative retention cap makes no sense")
        return try write("prune finished requests") { db in
            try db.execute(sql: """
                DELETE FROM requests WHERE id IN (
                    SELECT id FROM requests WHERE finished = 1 ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?)
                """, arguments: [cap])
            let pruned = db.changesCount
            // Then every row whose request is gone. Besides the pruned requests' rows, this takes
            // a late packet stored after its request was pruned (a quorum packet can still arrive
            // once the node has concluded), which has no request row to be pruned with.
            try db.execute(sql: """
                DELETE FROM packet_deliveries WHERE packet_id IN (
                    SELECT id FROM packets WHERE request_id IS NOT NULL AND request_id NOT IN (SELECT id FROM requests));
                DELETE FROM packets WHERE request_id IS NOT NULL AND request_id NOT IN (SELECT id FROM requests);
                DELETE FROM own_outputs WHERE request_id NOT IN (SELECT id FROM requests);
                DELETE FROM results WHERE request_id NOT IN (SELECT id FROM requests);
                """)
            return pruned
        }
    }
}

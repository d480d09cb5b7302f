/// One verified structured reveal as consensus sees it: the member's commitment, its output
/// parsed (canonical and valid against the request's schema), the binary embeddings of the
/// output's free strings in leaf order, and the member's committee seats.
public struct StructuredPoint: Sendable, Hashable {
    public let commitment: Hash256
    public let value: JSONValue
    public let fieldEmbeddings: [BinaryEmbedding]
    public let seats: Int

    public init(commitment: Hash256, value: JSONValue, fieldEmbeddings: [BinaryEmbedding], seats: Int = 1) {
        precondition(seats >= 1, "a point stands for at least one seat")
        self.commitment = commitment
        self.value = value
        self.fieldEmbeddings = fieldEmbeddings
        self.seats = seats
    }
}

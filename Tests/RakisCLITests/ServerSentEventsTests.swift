import Testing
@testable import rakis

@Suite struct ServerSentEventsTests {
    @Test func eventsSplitAcrossChunksComeOutWhole() {
        let stream = Array(": hello\n\nevent: packet\ndata: {\"a\":1}\n\nevent: concluded\r\ndata: line one\ndata: line two\n\ndata: unnamed\n\n".utf8)
        for chunkSize in [1, 3, 7, stream.count] {
            var parser = ServerSentEvents()
            var events: [ServerSentEvents.Event] = []
            var index = 0
            while index < stream.count {
                events += parser.feed(stream[index..<min(index + chunkSize, stream.count)])
                index += chunkSize
            }
            #expect(events == [
                .init(name: "packet", data: "{\"a\":1}"),
                .init(name: "concluded", data: "line one\nline two"),
                .init(name: "message", data: "unnamed"),
            ], "chunks of \(chunkSize)")
        }
    }

    @Test func anUnfinishedEventWaitsForItsBlankLine() {
        var parser = ServerSentEvents()
        #expect(parser.feed(Array("event: phase\ndata: x\n".utf8)).isEmpty)
        #expect(parser.feed(Array("\n".utf8)) == [.init(name: "phase", data: "x")])
    }
}

import ArgumentParser
struct Demo: ParsableCommand {}
struct Keys: ParsableCommand {}
struct Bench: ParsableCommand {}

import Testing
@testable import MonteCarlo

@Suite struct StoppingPlanTests {
    @Test func fixedCountRoundsUpToWholeBlocks() throws {
        let plan = try StoppingPlan(rule: .fixed(trials: 100), blockSize: 16)
        #expect(plan.maximumBlocks == 7)
        #expect(plan.minimumBlocks == 7)
        let exact = try StoppingPlan(rule: .fixed(trials: 96), blockSize: 16)
        #expect(exact.maximumBlocks == 6)
    }

    @Test func sequentialBoundsInBlocks() throws {
        let target = SequentialTarget(absoluteHalfWidth: 0.1, minimumTrials: 33, maximumTrials: 100)
        let plan = try StoppingPlan(rule: .sequential(target), blockSize: 16)
        #expect(plan.minimumBlocks == 3)
        #expect(plan.maximumBlocks == 7)
    }

    @Test func badRulesAreTypedErrorsNamingTheField() {
        func message(_ rule: StoppingRule, blockSize: Int = 16) -> String? {
            do { _ = try StoppingPlan(rule: rule, blockSize: blockSize); return nil } catch {
                guard case .invalidConfiguration(let m) = error else { return nil }
                return m
            }
        }
        #expect(message(.fixed(trials: 0))?.contains("fixed trials is 0") == true)
        #expect(message(.fixed(trials: 10), blockSize: 0)?.contains("blockSize is 0") == true)
        #expect(message(.sequential(SequentialTarget(minimumTrials: 10, maximumTrials: 20)))?.contains("absoluteHalfWidth or relativeHalfWidth") == true)
        #expect(message(.sequential(SequentialTarget(absoluteHalfWidth: -1, minimumTrials: 10, maximumTrials: 20)))?.contains("absoluteHalfWidth is -1.0") == true)
        #expect(message(.sequential(SequentialTarget(relativeHalfWidth: .nan, minimumTrials: 10, maximumTrials: 20)))?.contains("relativeHalfWidth is nan") == true)
        #expect(message(.sequential(SequentialTarget(absoluteHalfWidth: 1, minimumTrials: 30, maximumTrials: 20)))?.contains("maximumTrials 20 is below minimumTrials 30") == true)
        #expect(message(.sequential(SequentialTarget(absoluteHalfWidth: 1, minimumTrials: 1, maximumTrials: 20)))?.contains("minimumTrials is 1") == true)
    }

    @Test func targetIsAbsoluteOrRelative() {
        let target = SequentialTarget(absoluteHalfWidth: 0.01, relativeHalfWidth: 0.1, minimumTrials: 2, maximumTrials: 10)
        func interval(mean: Double, half: Double, count: Int = 10) -> ConfidenceInterval {
            ConfidenceInterval(level: 0.95, count: count, mean: mean, standardDeviation: 1, halfWidth: half)
        }
        #expect(target.isMet(by: interval(mean: 0, half: 0.005)))
        #expect(!target.isMet(by: interval(mean: 0, half: 0.02)))
        #expect(target.isMet(by: interval(mean: -1, half: 0.05)))
        #expect(!target.isMet(by: interval(mean: 0.1, half: 0.02)))
        #expect(!target.isMet(by: interval(mean: 1, half: .infinity, count: 1)))
        #expect(!target.isMet(by: interval(mean: 1, half: .nan)))
        #expect(target.isMet(by: interval(mean: 0, half: .infinity, count: 0)), "points without any value are ignored")
    }
}

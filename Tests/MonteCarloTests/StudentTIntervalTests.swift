import Testing
@testable import MonteCarlo

@Suite struct StudentTIntervalTests {
    @Test(arguments: StudentTReference.intervals.map { $0.level })
    func intervalMatchesSciPy(level: Double) throws {
        let ref = try #require(StudentTReference.intervals.first { $0.level == level })
        var m = Moments()
        for x in StudentTReference.data { m.add(x) }
        var critical = StudentCriticalValues(level: level) { p, df in
            // 0.90 → p = 0.95, 0.95 → 0.975, 0.99 → 0.995, all in the SciPy table.
            Support.scipyQuantile((p * 1000).rounded() / 1000, df)
        }
        let interval = critical.interval(for: m)
        #expect(interval.count == StudentTReference.data.count)
        #expect(Support.relativelyClose(interval.mean, StudentTReference.mean))
        #expect(Support.relativelyClose(interval.standardDeviation, StudentTReference.standardDeviation))
        #expect(Support.relativelyClose(interval.low, ref.low, 1e-12))
        #expect(Support.relativelyClose(interval.high, ref.high, 1e-12))
    }

    @Test func criticalValueAsksForTheUpperTailProbability() {
        var critical = StudentCriticalValues(level: 0.95) { p, df in
            abs(p - 0.975) < 1e-15 && df == 9 ? 2.262157162740991 : .nan
        }
        #expect(Support.relativelyClose(critical.value(degreesOfFreedom: 9), 2.262157162740991))
    }

    @Test func fewerThanTwoValuesHaveNoFiniteInterval() {
        var critical = StudentCriticalValues(level: 0.95, quantile: StudentCriticalValues.studentT)
        var one = Moments()
        one.add(2.5)
        let interval = critical.interval(for: one)
        #expect(interval.halfWidth == .infinity)
        #expect(interval.mean == 2.5)
        #expect(critical.interval(for: Moments()).halfWidth == .infinity)
    }

    @Test func constantDataHasZeroHalfWidth() {
        var critical = StudentCriticalValues(level: 0.99, quantile: StudentCriticalValues.studentT)
        var m = Moments()
        for _ in 0..<10 { m.add(-4) }
        let interval = critical.interval(for: m)
        #expect(interval.halfWidth == 0)
        #expect(interval.low == -4 && interval.high == -4)
    }

    @Test func defaultQuantileMatchesSciPy() {
        for row in StudentTReference.quantiles {
            let t = StudentCriticalValues.studentT(row.p, row.df)
            #expect(Support.relativelyClose(t, row.t, 1e-10), "p=\(row.p) df=\(row.df): \(t) vs \(row.t)")
        }
    }

    @Test func defaultIntervalMatchesSciPy() {
        var m = Moments()
        for x in StudentTReference.data { m.add(x) }
        for ref in StudentTReference.intervals {
            var critical = StudentCriticalValues(level: ref.level)
            let interval = critical.interval(for: m)
            #expect(Support.relativelyClose(interval.low, ref.low, 1e-10))
            #expect(Support.relativelyClose(interval.high, ref.high, 1e-10))
        }
    }
}

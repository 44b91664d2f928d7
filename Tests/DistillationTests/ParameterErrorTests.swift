import Testing
@testable import Distillation

@Suite struct ParameterErrorTests {
    @Test func invalidNamesFieldValueAndExpectation() {
        let e = ParameterError.invalid(field: "kappa", value: "-1", expected: "must be > 0")
        #expect(e.description == "kappa = -1: must be > 0")
    }

    @Test func raggedNamesFileLineAndCounts() {
        let e = ParameterError.ragged(file: "data.csv", line: 3, expected: 4, found: 2)
        #expect(e.description.contains("data.csv:3"))
        #expect(e.description.contains("2 columns"))
        #expect(e.description.contains("expected 4"))
    }

    @Test func notANumberNamesColumnAndText() {
        let e = ParameterError.notANumber(file: "data.csv", line: 5, column: 2, text: "abc")
        #expect(e.description.contains("data.csv:5"))
        #expect(e.description.contains("column 2"))
        #expect(e.description.contains("\"abc\""))
    }

    @Test func equatableDistinguishesCases() {
        #expect(ParameterError.unreadable(file: "a", reason: "x")
                != ParameterError.unreadable(file: "a", reason: "y"))
        #expect(ParameterError.invalid("d", 0, "must be >= 1")
                == .invalid(field: "d", value: "0", expected: "must be >= 1"))
    }
}

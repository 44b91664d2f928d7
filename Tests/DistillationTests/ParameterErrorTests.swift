import Foundation
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

/// Every bad parameter is a thrown ParameterError whose message names the field and value.
@Suite struct GeometryParameterTests {
    static func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let e as ParameterError { return e.description } catch { return nil }
    }

    @Test func dimensionBelowOne() throws {
        let m = try #require(Self.message { _ = try GaussianGeometry(dimension: 0) })
        #expect(m.contains("dimension = 0"))
        let poly = try #require(Self.message { _ = try PolyTailGeometry(dimension: 1, kappa: 1) })
        #expect(poly.contains("dimension = 1") && poly.contains(">= 2"))
    }

    @Test func kappaNotPositive() throws {
        let m = try #require(Self.message { _ = try PolyTailGeometry(dimension: 3, kappa: -1) })
        #expect(m.contains("kappa = -1.0") && m.contains("> 0"))
        #expect(Self.message { _ = try PolyTailGeometry(dimension: 3, kappa: 0) }?.contains("kappa = 0.0") == true)
        #expect(Self.message { _ = try PolyTailGeometry(dimension: 3, kappa: .nan) }?.contains("kappa = nan") == true)
    }

    @Test(arguments: [0.0, -0.1, Double.pi / 2, 2.0])
    func marginOutsideOpenInterval(theta0: Double) throws {
        let m = try #require(Self.message { _ = try MarginGeometry(dimension: 3, margin: theta0) })
        #expect(m.contains("margin = \(theta0)"))
    }

    @Test func negativeAlpha() throws {
        let m = try #require(Self.message {
            _ = try AnisotropicGeometry(dimension: 3, spectrum: .powerLaw(exponent: -0.5), teacher: [1, 0, 0])
        })
        #expect(m.contains("alpha = -0.5"))
        let v = try #require(Self.message {
            _ = try AnisotropicGeometry(dimension: 2, spectrum: .values([1, 0]), teacher: [1, 0])
        })
        #expect(v.contains("spectrum[1] = 0.0"))
    }

    @Test func mixtureWeightsAndDeviations() throws {
        let sum = try #require(Self.message {
            _ = try MixtureGeometry(dimension: 2, teacher: [1, 0], components: [
                .init(weight: 0.5, mean: .alongTeacher(1), standardDeviation: 1),
                .init(weight: 0.4, mean: .alongTeacher(-1), standardDeviation: 1)])
        })
        #expect(sum.contains("sum of weights = 0.9") && sum.contains("sum to 1"))
        let negative = try #require(Self.message {
            _ = try MixtureGeometry(dimension: 2, teacher: [1, 0], components: [
                .init(weight: 1.5, mean: .alongTeacher(1), standardDeviation: 1),
                .init(weight: -0.5, mean: .alongTeacher(-1), standardDeviation: 1)])
        })
        #expect(negative.contains("weights[1] = -0.5"))
        let std = try #require(Self.message {
            _ = try MixtureGeometry(dimension: 2, teacher: [1, 0], components: [
                .init(weight: 1, mean: .alongTeacher(1), standardDeviation: 0)])
        })
        #expect(std.contains("standardDeviations[0] = 0.0"))
    }

    @Test func teacherOfWrongLengthOrZero() throws {
        let m = try #require(Self.message { _ = try GaussianGeometry(dimension: 3, teacher: [1, 2]) })
        #expect(m.contains("teacher") && m.contains("length 2") && m.contains("d = 3"))
        let z = try #require(Self.message { _ = try GaussianGeometry(dimension: 2, teacher: [0, 0]) })
        #expect(z.contains("zero vector"))
    }

    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("kdmc-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func raggedCSV() throws {
        let path = try Self.temporaryFile("1,2,3\n4,5,6\n7,8\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try DatasetGeometry(path: path, teacher: .weights([1, 1, 1]))
            Issue.record("no error thrown")
        } catch {
            #expect(error == .ragged(file: path, line: 3, expected: 3, found: 2))
            #expect(error.description.contains("\(path):3"))
        }
    }

    @Test func notANumberCSV() throws {
        let path = try Self.temporaryFile("# comment\n1,2,3\n4,abc,6\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try DatasetGeometry(path: path, teacher: .weights([1, 1, 1]))
            Issue.record("no error thrown")
        } catch {
            #expect(error == .notANumber(file: path, line: 3, column: 2, text: "abc"))
            #expect(error.description.contains("\"abc\""))
        }
    }

    @Test func missingFileAndLabel() throws {
        let m = try #require(Self.message {
            _ = try DatasetGeometry(path: "/nonexistent/kdmc.csv", teacher: .weights([1]))
        })
        #expect(m.contains("/nonexistent/kdmc.csv"))
        let path = try Self.temporaryFile("1,2\n3,4\n5,6\n7,8\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let l = try #require(Self.message {
            _ = try DatasetGeometry(path: path, teacher: .logisticRegression(ridge: 1e-3))
        })
        #expect(l.contains("labelColumn = none"))
        let f = try #require(Self.message {
            _ = try DatasetGeometry(path: path, teacher: .weights([1, 1]), heldOutFraction: 1.5)
        })
        #expect(f.contains("heldOutFraction = 1.5"))
    }
}

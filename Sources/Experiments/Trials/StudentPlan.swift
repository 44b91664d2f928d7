internal import Distillation

/// One curve of an experiment: a student as the trial trains it, with a unique label.
package struct StudentPlan: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case linear(StudentSpec.LinearInit)
        case deepLinear(hiddenWidths: [Int], initialization: StudentSpec.DeepInit)
        case hardLabel
        /// δ in degrees.
        case wDelta(degrees: Double)
    }

    package var label: String
    package var kind: Kind
    /// Position of the student in the experiment file (keys its random streams).
    package var specIndex: Int

    /// The flow's limit from w(0) = 0 is P w*: the bound B, the certificate's guarantee and the
    /// exact Gaussian expectation are statements about this student.
    package var isZeroInitialisedLinear: Bool {
        if case .linear(.zero) = kind { return true }
        return false
    }

    /// Trained on the teacher's soft labels σ(w*ᵀx) by the flow (linear or deep linear): the
    /// students the paper's claims are about. Hard-label students and w_δ are comparisons.
    package var isSoftLabel: Bool {
        switch kind {
        case .linear, .deepLinear: true
        case .hardLabel, .wDelta: false
        }
    }

    /// Expands the file's students into curves (a w-delta entry gives one curve per δ).
    package static func plans(for students: [StudentSpec]) -> [StudentPlan] {
        var plans: [StudentPlan] = []
        for (index, student) in students.enumerated() {
            switch student {
            case .linear(let initialization):
                let label: String
                switch initialization {
                case .zero: label = "linear"
                case .random(let scale): label = "linear(random \(scale))"
                case .given(let file): label = "linear(given \(file))"
                }
                plans.append(StudentPlan(label: label, kind: .linear(initialization), specIndex: index))
            case .deepLinear(let depth, let widths, let initialization):
                let initText: String
                switch initialization {
                case .balanced(let scale): initText = "balanced \(scale)"
                case .random(let scale): initText = "random \(scale)"
                }
                plans.append(StudentPlan(label: "deep-linear(depth \(depth), \(initText))",
                                         kind: .deepLinear(hiddenWidths: widths, initialization: initialization),
                                         specIndex: index))
            case .hardLabel:
                plans.append(StudentPlan(label: "hard-label", kind: .hardLabel, specIndex: index))
            case .wDelta(let deltas):
                for delta in deltas {
                    plans.append(StudentPlan(label: "w-delta(\(format(delta))°)", kind: .wDelta(degrees: delta),
                                             specIndex: index))
                }
            }
        }
        // Two identical entries still get two curves.
        var seen: [String: Int] = [:]
        for i in plans.indices {
            let count = seen[plans[i].label, default: 0] + 1
            seen[plans[i].label] = count
            if count > 1 { plans[i].label += " #\(count)" }
        }
        return plans
    }

    static func format(_ degrees: Double) -> String {
        degrees == degrees.rounded() ? String(Int(degrees)) : String(degrees)
    }
}

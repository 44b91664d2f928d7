// LinearAlgebra layer (see DESIGN.md).

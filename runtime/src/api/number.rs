//! Numbers: `PyNumber_*`, the `binary_ops` table, and the int/float internals specialized bodies
//! use (`_PyLong_Add`, `_PyLong_IsCompact`, `PyFloat_AS_DOUBLE`, ...).

use crate::arith::NbOp;
use crate::handles::Obj;
use crate::heap::Violation;
use crate::object::{IntVal, ObjData};
use crate::stackref::StackRef;
use crate::well_known as wk;

impl crate::vm::Vm {
    fn nb(&mut self, op: NbOp, inplace: bool, a: Obj, b: Obj) -> Obj {
        if self.fallible() {
            return Obj::NULL;
        }
        self.binop(op, inplace, a, b)
    }

    fn long_val(&mut self, o: Obj, what: &'static str) -> IntVal {
        match &self.heap.get(o, what).data {
            ObjData::Int(i) => i.clone(),
            _ => {
                self.violation(Violation::Assertion(what));
                IntVal::Small(0)
            }
        }
    }

    fn long_op(&mut self, op: NbOp, a: Obj, b: Obj, what: &'static str) -> Obj {
        let (x, y) = (self.long_val(a, what), self.long_val(b, what));
        if self.fallible() {
            return Obj::NULL;
        }
        self.int_binop(op, &x, &y)
    }
}

crate::api! {
    /// `a + b`
    "PyObject *PyNumber_Add(PyObject *o1, PyObject *o2)"
    fn number_add(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::Add, false, o1, o2) }
    /// `a - b`
    "PyObject *PyNumber_Subtract(PyObject *o1, PyObject *o2)"
    fn number_subtract(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::Subtract, false, o1, o2) }
    /// `a * b`
    "PyObject *PyNumber_Multiply(PyObject *o1, PyObject *o2)"
    fn number_multiply(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::Multiply, false, o1, o2) }
    /// `a / b`
    "PyObject *PyNumber_TrueDivide(PyObject *o1, PyObject *o2)"
    fn number_true_divide(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::TrueDivide, false, o1, o2) }
    /// `a // b`
    "PyObject *PyNumber_FloorDivide(PyObject *o1, PyObject *o2)"
    fn number_floor_divide(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::FloorDivide, false, o1, o2) }
    /// `a % b`
    "PyObject *PyNumber_Remainder(PyObject *o1, PyObject *o2)"
    fn number_remainder(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::Remainder, false, o1, o2) }
    /// `a ** b` (`o3` must be None)
    "PyObject *PyNumber_Power(PyObject *o1, PyObject *o2, PyObject *o3)"
    fn number_power(&mut self, o1: Obj, o2: Obj, o3: Obj) -> Obj {
        if o3 != wk::NONE {
            self.violation(Violation::Assertion("three-argument pow is not modelled"));
        }
        self.nb(NbOp::Power, false, o1, o2)
    }
    /// `a << b`
    "PyObject *PyNumber_Lshift(PyObject *o1, PyObject *o2)"
    fn number_lshift(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::Lshift, false, o1, o2) }
    /// `a >> b`
    "PyObject *PyNumber_Rshift(PyObject *o1, PyObject *o2)"
    fn number_rshift(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::Rshift, false, o1, o2) }
    /// `a & b`
    "PyObject *PyNumber_And(PyObject *o1, PyObject *o2)"
    fn number_and(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::And, false, o1, o2) }
    /// `a | b`
    "PyObject *PyNumber_Or(PyObject *o1, PyObject *o2)"
    fn number_or(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::Or, false, o1, o2) }
    /// `a ^ b`
    "PyObject *PyNumber_Xor(PyObject *o1, PyObject *o2)"
    fn number_xor(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::Xor, false, o1, o2) }
    /// `a @ b`
    "PyObject *PyNumber_MatrixMultiply(PyObject *o1, PyObject *o2)"
    fn number_matrix_multiply(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::MatrixMultiply, false, o1, o2) }
    /// `a += b`
    "PyObject *PyNumber_InPlaceAdd(PyObject *o1, PyObject *o2)"
    fn number_inplace_add(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::Add, true, o1, o2) }
    /// `a -= b`
    "PyObject *PyNumber_InPlaceSubtract(PyObject *o1, PyObject *o2)"
    fn number_inplace_subtract(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::Subtract, true, o1, o2) }
    /// `a *= b`
    "PyObject *PyNumber_InPlaceMultiply(PyObject *o1, PyObject *o2)"
    fn number_inplace_multiply(&mut self, o1: Obj, o2: Obj) -> Obj { self.nb(NbOp::Multiply, true, o1, o2) }

    /// `_PyEval_BinaryOps[oparg](lhs, rhs)`: the `NB_*` operator table as one function.
    "PyObject *_PyEval_BinaryOp(int oparg, PyObject *lhs, PyObject *rhs)"
    fn eval_binary_op(&mut self, oparg: i32, lhs: Obj, rhs: Obj) -> Obj {
        if oparg == 26 {
            // NB_SUBSCR (3.14)
            if self.fallible() {
                return Obj::NULL;
            }
            return self.get_item(lhs, rhs);
        }
        match NbOp::from_oparg(oparg as i64) {
            Some((op, inplace)) => self.nb(op, inplace, lhs, rhs),
            None => {
                self.bad_internal_call("binary op oparg out of range");
                Obj::NULL
            }
        }
    }

    /// `-a`
    "PyObject *PyNumber_Negative(PyObject *o)"
    fn number_negative(&mut self, o: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.unary('-', o)
    }
    /// `+a`
    "PyObject *PyNumber_Positive(PyObject *o)"
    fn number_positive(&mut self, o: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.unary('+', o)
    }
    /// `~a`
    "PyObject *PyNumber_Invert(PyObject *o)"
    fn number_invert(&mut self, o: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.unary('~', o)
    }
    /// `abs(a)`
    "PyObject *PyNumber_Absolute(PyObject *o)"
    fn number_absolute(&mut self, o: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.unary('a', o)
    }
    /// `operator.index(o)`
    "PyObject *PyNumber_Index(PyObject *o)"
    fn number_index(&mut self, o: Obj) -> Obj {
        if self.fallible() { return Obj::NULL; }
        match self.heap.data(o).clone() {
            ObjData::Int(i) => {
                if self.heap.ty(o) == wk::LONG_TYPE {
                    self.heap.incref(o);
                    o
                } else {
                    self.new_int_val(i)
                }
            }
            _ => {
                let msg = format!("'{}' object cannot be interpreted as an integer", self.type_name_of(o));
                self.raise(wk::EXC_TYPE_ERROR, &msg)
            }
        }
    }

    /// `_PyLong_Add` of two ints (NULL on MemoryError).
    "PyObject *_PyLong_Add(PyLongObject *left, PyLongObject *right)"
    fn long_add(&mut self, left: Obj, right: Obj) -> Obj { self.long_op(NbOp::Add, left, right, "_PyLong_Add of a non-int") }
    /// `_PyLong_Subtract`
    "PyObject *_PyLong_Subtract(PyLongObject *left, PyLongObject *right)"
    fn long_subtract(&mut self, left: Obj, right: Obj) -> Obj { self.long_op(NbOp::Subtract, left, right, "_PyLong_Subtract of a non-int") }
    /// `_PyLong_Multiply`
    "PyObject *_PyLong_Multiply(PyLongObject *left, PyLongObject *right)"
    fn long_multiply(&mut self, left: Obj, right: Obj) -> Obj { self.long_op(NbOp::Multiply, left, right, "_PyLong_Multiply of a non-int") }

    /// The magnitude fits one 30-bit digit.
    "bool _PyLong_IsCompact(PyLongObject *op)"
    fn long_is_compact(&mut self, op: Obj) -> bool {
        self.long_val(op, "_PyLong_IsCompact of a non-int").is_compact()
    }
    /// Compact and `>= 0`.
    "bool _PyLong_IsNonNegativeCompact(PyLongObject *op)"
    fn long_is_non_negative_compact(&mut self, op: Obj) -> bool {
        let v = self.long_val(op, "_PyLong_IsNonNegativeCompact of a non-int");
        v.is_compact() && v.sign() >= 0
    }
    /// `op->long_value.ob_digit[i]`: digit `i` (30 bits, least significant first) of the
    /// magnitude. The array is declared `digit ob_digit[1]` but allocated with one digit per
    /// `_PyLong_DigitCount` (at least one: zero stores a 0 digit); reading past that is UB.
    "digit PyLongObject.long_value.ob_digit(PyLongObject *op, Py_ssize_t i)" as "PyLongObject.long_value.ob_digit"
    fn long_ob_digit(&mut self, op: Obj, i: i64) -> u32 {
        let v = self.long_val(op, "ob_digit of a non-int");
        if i < 0 || i >= v.digit_count().max(1) {
            self.violation(Violation::Assertion("ob_digit index past the int's digits"));
            return 0;
        }
        const MASK: u32 = (1 << 30) - 1;
        match &v {
            // `i` is below 3 here: an `i64` magnitude has at most 64 bits.
            IntVal::Small(x) => (x.unsigned_abs() >> (30 * i as u32)) as u32 & MASK,
            IntVal::Big(b) => {
                let d = (b.magnitude() >> (30 * i as u64)) & num_bigint::BigUint::from(MASK);
                u32::try_from(&d).unwrap_or(0)
            }
        }
    }
    /// The value of a compact int.
    "Py_ssize_t _PyLong_CompactValue(PyLongObject *op)"
    fn long_compact_value(&mut self, op: Obj) -> i64 {
        let v = self.long_val(op, "_PyLong_CompactValue of a non-int");
        if !v.is_compact() {
            self.violation(Violation::Assertion("_PyLong_CompactValue of a non-compact int"));
        }
        v.as_i64().unwrap_or(0)
    }
    /// `== 0`
    "bool _PyLong_IsZero(PyLongObject *op)"
    fn long_is_zero(&mut self, op: Obj) -> bool {
        self.long_val(op, "_PyLong_IsZero of a non-int").sign() == 0
    }
    /// Number of 30-bit digits.
    "Py_ssize_t _PyLong_DigitCount(PyLongObject *op)"
    fn long_digit_count(&mut self, op: Obj) -> i64 {
        self.long_val(op, "_PyLong_DigitCount of a non-int").digit_count()
    }
    /// `_PyLong_IsNegative`
    "bool _PyLong_IsNegative(PyLongObject *op)"
    fn long_is_negative(&mut self, op: Obj) -> bool {
        self.long_val(op, "_PyLong_IsNegative of a non-int").sign() < 0
    }
    /// A new int.
    "PyObject *PyLong_FromLong(long v)"
    fn long_from_long(&mut self, v: i64) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.new_int(v)
    }
    /// A new int.
    "PyObject *PyLong_FromSsize_t(Py_ssize_t v)"
    fn long_from_ssize_t(&mut self, v: i64) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.new_int(v)
    }
    /// The value as a `Py_ssize_t` (-1 with `OverflowError` / `TypeError`).
    "Py_ssize_t PyLong_AsSsize_t(PyObject *op)"
    fn long_as_ssize_t(&mut self, op: Obj) -> i64 {
        match self.heap.get(op, "PyLong_AsSsize_t").data.clone() {
            ObjData::Int(IntVal::Small(v)) => v,
            ObjData::Int(IntVal::Big(_)) => {
                self.raise(wk::EXC_OVERFLOW_ERROR, "Python int too large to convert to C ssize_t");
                -1
            }
            _ => {
                self.raise(wk::EXC_TYPE_ERROR, "an integer is required");
                -1
            }
        }
    }
    /// The value as a `long`.
    "long PyLong_AsLong(PyObject *op)"
    fn long_as_long(&mut self, op: Obj) -> i64 {
        self.long_as_ssize_t(op)
    }

    /// `ob_fval` of a float.
    "double PyFloat_AS_DOUBLE(PyObject *op)"
    fn float_as_double(&mut self, op: Obj) -> f64 {
        match self.heap.get(op, "PyFloat_AS_DOUBLE").data {
            ObjData::Float(f) => f,
            _ => {
                self.violation(Violation::Assertion("PyFloat_AS_DOUBLE of a non-float"));
                0.0
            }
        }
    }
    /// A new float.
    "PyObject *PyFloat_FromDouble(double v)"
    fn float_from_double(&mut self, v: f64) -> Obj {
        if self.fallible() { return Obj::NULL; }
        self.new_float(v)
    }
    /// Closes both float inputs, then returns a new float with `value` (NULL on failure).
    "_PyStackRef _PyFloat_FromDouble_ConsumeInputs(_PyStackRef left, _PyStackRef right, double value)"
    fn float_from_double_consume_inputs(&mut self, left: StackRef, right: StackRef, value: f64) -> StackRef {
        self.stackref_close_specialized(left, crate::handles::Destructor::FloatExact);
        self.stackref_close_specialized(right, crate::handles::Destructor::FloatExact);
        if self.fallible() {
            return StackRef::NULL;
        }
        let f = self.new_float(value);
        StackRef::owned(f)
    }
}

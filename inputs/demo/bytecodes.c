// cases2rs demo instruction set: a small stack calculator written in the
// instruction DSL that CPython uses in Python/bytecodes.c.
//
// It exists so that `translate` has something to run on when no CPython
// checkout is around, and so that every construct of the DSL appears at least
// once in a file small enough to read: inst, op, macro, family, pseudo,
// label (plain and spilled), annotations, cache entries, array and
// conditional stack items.
//
// As in CPython, only the text between the BEGIN and END marker comments is
// read as definitions; everything outside them is ignored.

#include "demo_machine.h"

// BEGIN BYTECODES //

        pure inst(NOP, (--)) {
        }

        inst(LOAD_CONST, (-- value)) {
            value = PyStackRef_FromPyObjectNew(GETITEM(FRAME_CO_CONSTS, oparg));
        }

        replicate(4) inst(LOAD_LOCAL, (-- value)) {
            value = PyStackRef_DUP(GETLOCAL(oparg));
        }

        inst(STORE_LOCAL, (value --)) {
            _PyStackRef old = GETLOCAL(oparg);
            GETLOCAL(oparg) = value;
            DEAD(value);
            PyStackRef_XCLOSE(old);
        }

        pure inst(POP_TOP, (value --)) {
            PyStackRef_CLOSE(value);
        }

        pure inst(COPY, (bottom, unused[oparg-1] -- bottom, unused[oparg-1], top)) {
            assert(oparg > 0);
            top = PyStackRef_DUP(bottom);
        }

        pure inst(SWAP, (bottom, unused[oparg-2], top -- bottom, unused[oparg-2], top)) {
            _PyStackRef tmp = bottom;
            bottom = top;
            top = tmp;
        }

        // Pushes an extra NULL when the low bit of oparg is set, the way
        // CPython's older LOAD_GLOBAL pushed an optional NULL.
        inst(LOAD_MAYBE_NULL, (-- value, null if (oparg & 1))) {
            value = PyStackRef_FromPyObjectNew(GETITEM(FRAME_CO_CONSTS, oparg >> 1));
            null = PyStackRef_NULL;
        }

        family(BINARY_OP, INLINE_CACHE_ENTRIES_BINARY_OP) = {
            BINARY_OP_ADD_INT,
            BINARY_OP_SUBTRACT_INT,
            BINARY_OP_MULTIPLY_INT,
        };

        specializing op(_SPECIALIZE_BINARY_OP, (counter/1, lhs, rhs -- lhs, rhs)) {
            #if ENABLE_SPECIALIZATION
            if (ADAPTIVE_COUNTER_TRIGGERS(counter)) {
                next_instr = this_instr;
                _Py_Specialize_BinaryOp(lhs, rhs, next_instr, oparg);
                DISPATCH_SAME_OPARG();
            }
            ADVANCE_ADAPTIVE_COUNTER(this_instr[1].counter);
            #endif
        }

        op(_BINARY_OP, (lhs, rhs -- res)) {
            PyObject *res_o = _PyEval_BinaryOps[oparg](PyStackRef_AsPyObjectBorrow(lhs),
                                                      PyStackRef_AsPyObjectBorrow(rhs));
            PyStackRef_CLOSE(rhs);
            PyStackRef_CLOSE(lhs);
            ERROR_IF(res_o == NULL);
            res = PyStackRef_FromPyObjectSteal(res_o);
        }

        macro(BINARY_OP) = _SPECIALIZE_BINARY_OP + unused/1 + _BINARY_OP;

        op(_GUARD_BOTH_INT, (left, right -- left, right)) {
            EXIT_IF(!PyLong_CheckExact(PyStackRef_AsPyObjectBorrow(left)));
            EXIT_IF(!PyLong_CheckExact(PyStackRef_AsPyObjectBorrow(right)));
        }

        pure op(_BINARY_OP_ADD_INT, (left, right -- res)) {
            PyObject *res_o = _PyCompactLong_Add((PyLongObject *)PyStackRef_AsPyObjectBorrow(left),
                                                 (PyLongObject *)PyStackRef_AsPyObjectBorrow(right));
            PyStackRef_CLOSE_SPECIALIZED(right, _PyLong_ExactDealloc);
            PyStackRef_CLOSE_SPECIALIZED(left, _PyLong_ExactDealloc);
            INPUTS_DEAD();
            ERROR_IF(res_o == NULL);
            res = PyStackRef_FromPyObjectSteal(res_o);
        }

        pure op(_BINARY_OP_SUBTRACT_INT, (left, right -- res)) {
            PyObject *res_o = _PyCompactLong_Subtract((PyLongObject *)PyStackRef_AsPyObjectBorrow(left),
                                                      (PyLongObject *)PyStackRef_AsPyObjectBorrow(right));
            PyStackRef_CLOSE_SPECIALIZED(right, _PyLong_ExactDealloc);
            PyStackRef_CLOSE_SPECIALIZED(left, _PyLong_ExactDealloc);
            INPUTS_DEAD();
            ERROR_IF(res_o == NULL);
            res = PyStackRef_FromPyObjectSteal(res_o);
        }

        pure op(_BINARY_OP_MULTIPLY_INT, (left, right -- res)) {
            PyObject *res_o = _PyCompactLong_Multiply((PyLongObject *)PyStackRef_AsPyObjectBorrow(left),
                                                      (PyLongObject *)PyStackRef_AsPyObjectBorrow(right));
            PyStackRef_CLOSE_SPECIALIZED(right, _PyLong_ExactDealloc);
            PyStackRef_CLOSE_SPECIALIZED(left, _PyLong_ExactDealloc);
            INPUTS_DEAD();
            ERROR_IF(res_o == NULL);
            res = PyStackRef_FromPyObjectSteal(res_o);
        }

        macro(BINARY_OP_ADD_INT) = _GUARD_BOTH_INT + unused/2 + _BINARY_OP_ADD_INT;
        macro(BINARY_OP_SUBTRACT_INT) = _GUARD_BOTH_INT + unused/2 + _BINARY_OP_SUBTRACT_INT;
        macro(BINARY_OP_MULTIPLY_INT) = unused/2 + _GUARD_BOTH_INT + _BINARY_OP_MULTIPLY_INT;

        inst(BUILD_LIST, (values[oparg] -- list)) {
            PyObject *list_o = _PyList_FromStackRefStealOnSuccess(values, oparg);
            if (list_o == NULL) {
                ERROR_NO_POP();
            }
            INPUTS_DEAD();
            list = PyStackRef_FromPyObjectStealMortal(list_o);
        }

        inst(JUMP_FORWARD, (--)) {
            JUMPBY(oparg);
        }

        tier1 inst(JUMP_BACKWARD, (--)) {
            assert(oparg <= INSTR_OFFSET());
            JUMPBY(-oparg);
        }

        inst(POP_JUMP_IF_ZERO, (unused/1, cond --)) {
            int is_zero = PyStackRef_IsNull(cond);
            DEAD(cond);
            JUMPBY(is_zero ? oparg : 0);
        }

        pseudo(JUMP, (--)) = {
            JUMP_FORWARD,
            JUMP_BACKWARD,
        };

        pseudo(STORE_LOCAL_MAYBE_NULL, (unused --), (HAS_ARG)) = {
            STORE_LOCAL,
        };

        tier2 op(_CHECK_VALIDITY, (--)) {
            DEOPT_IF(!current_executor->vm_data.valid);
        }

        tier2 pure op(_LOAD_CONST_INLINE, (ptr/4 -- value)) {
            value = PyStackRef_FromPyObjectNew(ptr);
        }

        no_save_ip tier1 inst(NOT_TAKEN, (--)) {
        }

        label(pop_1_error) {
            stack_pointer--;
            goto error;
        }

        label(error) {
            assert(_PyErr_Occurred(tstate));
            goto exception_unwind;
        }

        spilled label(exception_unwind) {
            assert(_PyErr_Occurred(tstate));
            goto exit_unwind;
        }

        spilled label(exit_unwind) {
            _PyEval_FrameClearAndPop(tstate, frame);
            return NULL;
        }

// END BYTECODES //

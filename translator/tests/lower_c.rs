//! The lowering of tricky C, pinned: each case compares the generated Rust (formatted, compared
//! without whitespace) with a hand-written expectation, and evaluates that expectation on
//! values whose C result is known, so the expected text is also checked for meaning.

use translator::analysis::Version;
use translator::builder::translate_source;
use translator::dsl::SourceFile;
use translator::lower::{Lowered, Skip};

fn bindings() -> subset::Bindings {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lower_bindings.toml"
    );
    subset::Bindings::load(std::path::Path::new(path)).expect("test bindings load")
}

fn lower(dsl: &str) -> Lowered {
    let src = SourceFile::new("t.c", dsl);
    translate_source(&src, Some(Version::V3_14), &bindings()).expect("pipeline")
}

/// The generated function of body `name`, whitespace removed.
fn body(l: &Lowered, name: &str) -> String {
    let b = l
        .bodies
        .iter()
        .find(|b| b.name == name)
        .unwrap_or_else(|| panic!("no body {name}"));
    match &b.code {
        Ok(c) => squash(c),
        Err(e) => panic!("{name} not generated: {e:?}"),
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_has(code: &str, expected: &str) {
    let e = squash(expected);
    assert!(code.contains(&e), "expected\n  {e}\nin\n  {code}");
}

#[test]
fn uint16_subtraction_is_promoted_to_int() {
    let l = lower("op(_T, (--)) {\n uint16_t a = (uint16_t)oparg;\n uint16_t b = 7;\n int r = a - b;\n DEOPT_IF(r < 0);\n}\n");
    let c = body(&l, "_T");
    assert_has(&c, "let a: u16 = oparg as u16;");
    assert_has(&c, "let b: u16 = 7u16;");
    assert_has(&c, "let r: i32 = (a as i32).wrapping_sub(b as i32);");
    assert_has(&c, "if r < 0i32 { break 'body Exit::Deopt; }");
    // C: (uint16_t)1 - (uint16_t)7 == -6 (int), not 65530.
    let (a, b) = (1u16, 7u16);
    assert_eq!((a as i32).wrapping_sub(b as i32), -6);
}

#[test]
fn uint32_right_shift_is_logical() {
    let l = lower("op(_T, (--)) {\n uint32_t x = (uint32_t)oparg;\n uint32_t y = x >> 4;\n DEOPT_IF(y == 1);\n}\n");
    let c = body(&l, "_T");
    assert_has(&c, "let x: u32 = oparg as u32;");
    assert_has(&c, "let y: u32 = x >> 4;");
    let x = 0xffff_fff0u32;
    assert_eq!(x >> 4, 0x0fff_ffff);
}

#[test]
fn minus_one_compared_with_unsigned_converts_to_uint_max() {
    let l =
        lower("op(_T, (--)) {\n unsigned int u = (unsigned int)oparg;\n DEOPT_IF(-1 < u);\n}\n");
    let c = body(&l, "_T");
    assert_has(&c, "if 4294967295u32 < u { break 'body Exit::Deopt; }");
    // C: -1 < 5u is false (-1 becomes UINT_MAX).
    let lt = |a: u32, b: u32| a < b;
    assert!(!lt(4294967295u32, 5u32));
}

#[test]
fn conditional_on_a_masked_bit() {
    let l = lower("op(_T, (--)) {\n int t = (oparg & 1) ? 10 : 20;\n DEOPT_IF(t == 10);\n}\n");
    let c = body(&l, "_T");
    assert_has(
        &c,
        "let t: i32 = if (oparg & 1i32) != 0i32 { 10i32 } else { 20i32 };",
    );
    let f = |oparg: i32| if (oparg & 1i32) != 0i32 { 10i32 } else { 20i32 };
    assert_eq!((f(3), f(4)), (10, 20));
}

#[test]
fn post_increment_inside_an_index() {
    let l = lower("op(_T, (--)) {\n int arr[3] = {4, 5, 6};\n int i = 1;\n int v = arr[i++];\n DEOPT_IF(v + i == 7);\n}\n");
    let c = body(&l, "_T");
    assert_has(&c, "let arr: [i32; 3usize] = [4i32, 5i32, 6i32];");
    assert_has(&c, "let mut i: i32 = 1i32;");
    assert_has(
        &c,
        "let v: i32 = arr[({ let old_1 = i; i = i.wrapping_add(1i32); old_1 }) as usize];",
    );
    // C: v == arr[1] == 5, then i == 2.
    let arr: [i32; 3] = [4, 5, 6];
    let mut i: i32 = 1;
    let v: i32 = arr[({
        let old_1 = i;
        i = i.wrapping_add(1i32);
        old_1
    }) as usize];
    assert_eq!((v, i), (5, 2));
}

#[test]
fn nested_ternary_is_an_else_if_chain() {
    let l = lower(
        "op(_T, (--)) {\n int n = oparg > 2 ? 1 : oparg > 1 ? 2 : 3;\n DEOPT_IF(n == 2);\n}\n",
    );
    let c = body(&l, "_T");
    assert_has(
        &c,
        "let n: i32 = if oparg > 2i32 { 1i32 } else if oparg > 1i32 { 2i32 } else { 3i32 };",
    );
    let f = |oparg: i32| {
        if oparg > 2i32 {
            1i32
        } else if oparg > 1i32 {
            2i32
        } else {
            3i32
        }
    };
    assert_eq!((f(5), f(2), f(0)), (1, 2, 3));
}

#[test]
fn short_circuit_keeps_side_effects_conditional() {
    let l = lower("op(_T, (--)) {\n int k = 0;\n if (oparg > 0 && (k = oparg) > 3) {\n k = k + 1;\n }\n DEOPT_IF(k == 5);\n}\n");
    let c = body(&l, "_T");
    assert_has(&c, "let mut k: i32 = 0i32;");
    assert_has(&c, "if oparg > 0i32 && ({ let v_1 = oparg; k = v_1; v_1 }) > 3i32 { k = k.wrapping_add(1i32); }");
    assert!(c.contains("k==5i32"), "{c}");
    let f = |oparg: i32| {
        let mut k: i32 = 0i32;
        if oparg > 0i32
            && ({
                let v_1 = oparg;
                k = v_1;
                v_1
            }) > 3i32
        {
            k = k.wrapping_add(1i32);
        }
        k
    };
    // C: with oparg 0 the assignment never runs; with 2 it runs but the test fails; with 4 both.
    assert_eq!((f(0), f(2), f(4)), (0, 2, 5));
}

#[test]
fn truncating_cast() {
    let l =
        lower("op(_T, (--)) {\n uint8_t lo = (uint8_t)(oparg + 300);\n DEOPT_IF(lo == 44);\n}\n");
    let c = body(&l, "_T");
    assert_has(&c, "let lo: u8 = oparg.wrapping_add(300i32) as u8;");
    assert_eq!(0i32.wrapping_add(300i32) as u8, 44);
}

#[test]
fn shifts_of_promoted_and_too_wide_counts() {
    let l = lower(
        "op(_T, (--)) {\n uint8_t s = 1;\n int w = s << 9;\n uint32_t x = (uint32_t)oparg;\n uint32_t z = x << 40;\n uint32_t q = x << oparg;\n DEOPT_IF(w + z + q == 0);\n}\n",
    );
    let c = body(&l, "_T");
    // The uint8_t is promoted to int first: 1 << 9 is 512, not 0.
    assert_has(&c, "let w: i32 = (s as i32) << 9;");
    // A count of at least the width (undefined in C) gives 0 instead of Rust's panic.
    assert_has(
        &c,
        "let z: u32 = x.checked_shl(u32::try_from(40i32).unwrap_or(u32::MAX)).unwrap_or(0);",
    );
    assert_has(
        &c,
        "let q: u32 = x.checked_shl(u32::try_from(oparg).unwrap_or(u32::MAX)).unwrap_or(0);",
    );
    let s = 1u8;
    assert_eq!((s as i32) << 9, 512);
    let x = 3u32;
    assert_eq!(
        x.checked_shl(u32::try_from(40i32).unwrap_or(u32::MAX))
            .unwrap_or(0),
        0
    );
    assert_eq!(
        x.checked_shl(u32::try_from(-1i32).unwrap_or(u32::MAX))
            .unwrap_or(0),
        0
    );
}

#[test]
fn dsl_macros_go_through_the_replacement_table() {
    let l = lower(
        "op(_X, (--)) {\n EXIT_IF(oparg == 2);\n}\nop(_T, (a, b -- res)) {\n PyObject *o = PyStackRef_AsPyObjectBorrow(a);\n DEOPT_IF(!PyLong_CheckExact(o));\n STAT_INC(BINARY_OP, hit);\n DECREF_INPUTS();\n ERROR_IF(oparg == 3);\n res = b;\n DEAD(b);\n}\n",
    );
    let c = body(&l, "_T");
    assert_has(
        &c,
        "if vm.long_check_exact(o) == 0i32 { break 'body Exit::Deopt; }",
    );
    assert_has(
        &body(&l, "_X"),
        "if oparg == 2i32 { break 'body Exit::SideExit; }",
    );
    // 3.14: DECREF_INPUTS closes the top of the stack first.
    assert_has(&c, "vm.stackref_close(b); vm.stackref_close(a);");
    assert_has(
        &c,
        "if oparg == 3i32 { break 'body Exit::Error(\"error\"); }",
    );
    assert_has(&c, "(exit_, (res,))");
    assert!(!c.contains("STAT_INC") && !c.contains("DEAD"));
}

#[test]
fn signature_follows_the_stack_effect() {
    let l = lower("inst(T, (counter/1, unused/1, unused, left, args[oparg] -- res, extra[oparg*2])) {\n res = left;\n DEOPT_IF(counter == 0);\n DEOPT_IF(args[0].bits == 0);\n}\n");
    let b = l.bodies.iter().find(|b| b.name == "T").unwrap();
    // `.bits` is not a bound field of `_PyStackRef`: the body bails, the reason is counted.
    assert!(matches!(&b.code, Err(Skip::Bail(_))), "{:?}", b.code);
    let l = lower("inst(T, (counter/1, unused/1, unused, left, args[oparg] -- res, extra[oparg*2])) {\n res = left;\n DEOPT_IF(counter == 0);\n}\n");
    let c = body(&l, "T");
    assert_has(&c, "pub fn inst_t(_vm: &mut runtime::Vm, oparg: u32, counter: u16, left: runtime::StackRef, _args: Vec<runtime::StackRef>,) -> (Exit, (runtime::StackRef, Vec<runtime::StackRef>))");
    assert_has(&c, "let extra: Vec<runtime::StackRef> = vec![runtime::StackRef::NULL; usize::try_from(i64::from(oparg).wrapping_mul(2i64)).unwrap_or(0)];");
    // The uint16_t cache entry is promoted to int for the comparison, as in C.
    assert_has(
        &c,
        "if (counter as i32) == 0i32 { break 'body Exit::Deopt; }",
    );
    assert_has(&c, "(exit_, (res, extra))");
}

#[test]
fn unsupported_constructs_are_counted_not_dropped() {
    let l = lower("op(_T, (--)) {\n int k = 0;\n switch (oparg) { case 1: k = 2; break; }\n DEOPT_IF(k);\n}\nop(_U, (--)) {\n}\n");
    assert_eq!(l.bodies.len(), 2);
    assert!(l.bodies[0].code.is_err());
    assert!(l.bodies[1].code.is_ok());
    assert_eq!(l.generated_bodies(), 1);
    assert!(!l.body_bails().is_empty());
}

#[test]
fn decref_inputs_skips_peeked_and_unused_items() {
    let l = lower("op(_T, (keep, unused, a, b_or_null -- keep, unused)) {\n DECREF_INPUTS();\n}\n");
    let c = body(&l, "_T");
    assert_has(&c, "vm.stackref_xclose(b_or_null); vm.stackref_close(a);");
    assert!(!c.contains("close(keep)"), "{c}");
}

#[test]
fn asserts_are_gated_like_cpythons_release_build() {
    let l = lower("op(_T, (--)) {\n assert(oparg > 0);\n assert(1);\n assert(0);\n}\n");
    let c = body(&l, "_T");
    assert_has(&c, "if C_ASSERTS { assert!(oparg > 0i32); }");
    assert_has(&c, "if C_ASSERTS { panic!(\"C assert(0) reached\"); }");
    assert_eq!(c.matches("C_ASSERTS").count(), 2, "{c}");
}

#[test]
fn check_eval_breaker_expands_like_ceval_macros() {
    let src = SourceFile::new("t.c", "inst(T, (--)) {\n CHECK_EVAL_BREAKER();\n}\n");
    let l = translate_source(&src, Some(Version::V3_13), &bindings()).expect("pipeline");
    let c = body(&l, "T");
    assert_has(
        &c,
        "if (vm.ts_eval_breaker(runtime::TState) & 255u64) != 0u64 { if vm.handle_pending(runtime::TState) != 0i32 { break 'body Exit::Error(\"error\"); } }",
    );
}

#[test]
fn array_arguments_are_slices_and_identifiers_are_strings() {
    let l = lower(
        "op(_T, (values[oparg] -- res)) {\n PyObject *t = _PyTuple_FromStackRefStealOnSuccess(values, oparg);\n PyObject *n = &_Py_ID(__name__);\n DEOPT_IF(t == n);\n res = values[0];\n}\n",
    );
    let c = body(&l, "_T");
    assert_has(
        &c,
        "let t: runtime::Obj = vm.tuple_from_stackref_steal_on_success(&values[..], oparg as i64);",
    );
    assert_has(
        &c,
        "let n: runtime::Obj = vm.py_id(runtime::CStr::from(\"__name__\"));",
    );
}

#[test]
fn stack_views_index_the_inputs_in_stack_order() {
    let l = lower(
        "op(_T, (callable, self_or_null, args[oparg] -- res)) {\n _PyStackRef *arguments = args;\n if (oparg == 1) {\n arguments--;\n }\n res = arguments[0];\n PyObject *t = _PyTuple_FromStackRefStealOnSuccess(arguments, oparg);\n DEOPT_IF(t == NULL);\n}\n",
    );
    let c = body(&l, "_T");
    // `args` starts after the two scalar inputs.
    assert_has(&c, "let mut arguments: isize = (1usize + 1usize) as isize;");
    assert_has(&c, "arguments -= 1;");
    assert_has(
        &c,
        "res = [&[callable][..], &[self_or_null][..], &args[..]].concat()[(arguments + (0i32) as isize) as usize];",
    );
    assert_has(
        &c,
        "vm.tuple_from_stackref_steal_on_success(&[&[callable][..], &[self_or_null][..], &args[..]].concat()[arguments as usize..], oparg as i64,)",
    );
    // The same layout in Rust: after `arguments--`, element 0 is `self_or_null`.
    let (callable, self_or_null, args) = (1, 2, vec![3, 4]);
    let arguments: isize = 2 - 1;
    let layout = [&[callable][..], &[self_or_null][..], &args[..]].concat();
    assert_eq!(layout[arguments as usize], self_or_null);
}

/// The runtime's own table: `_Py_CODEUNIT` is `indexed` there.
fn lower_default(dsl: &str) -> Lowered {
    let src = SourceFile::new("t.c", dsl);
    let b = subset::Bindings::load(&subset::Bindings::default_path()).expect("default table");
    translate_source(&src, Some(Version::V3_14), &b).expect("pipeline")
}

#[test]
fn code_unit_pointers_are_indices_and_cache_cells_update_in_place() {
    let l = lower_default(
        "op(_T, (counter/1 --)) {\n if (ADAPTIVE_COUNTER_TRIGGERS(counter)) { next_instr = this_instr; DISPATCH_SAME_OPARG(); }\n ADVANCE_ADAPTIVE_COUNTER(this_instr[1].counter);\n RECORD_BRANCH_TAKEN(this_instr[1].cache, oparg & 1);\n int d = (int)(next_instr - this_instr);\n JUMPBY(d + (next_instr - 1)->op.code);\n}\n",
    );
    let c = body(&l, "_T");
    assert_has(&c, "if vm.adaptive_counter_triggers(counter) {");
    assert_has(
        &c,
        "{ let value_ = vm.this_instr; vm.set_next_instr(value_) }; break 'body Exit::Dispatch;",
    );
    // `c = advance_backoff_counter(c)` on the cache cell `this_instr + 1`.
    assert_has(
        &c,
        "{ let base_ = vm.this_instr.offset(1i64); let value_ = { let arg0_ = { let base_ = vm.this_instr.offset(1i64); vm.code_unit_counter(base_) }; vm.advance_backoff_counter(arg0_) }; vm.code_unit_set_counter(base_, value_) };",
    );
    assert_has(
        &c,
        "let value_ = (((({ let base_ = vm.this_instr.offset(1i64); vm.code_unit_cache(base_) }) as i32) << 1) | (oparg & 1i32)) as u16; vm.code_unit_set_cache(base_, value_)",
    );
    assert_has(
        &c,
        "let d: i32 = vm.next_instr.distance(vm.this_instr) as i32;",
    );
    assert_has(
        &c,
        "let base_ = vm.next_instr.offset(1i64.wrapping_neg()); vm.code_unit_opcode(base_)",
    );
    // C: (bits << 1) | flag, truncated to uint16_t: 0x8001 with flag 1 is 0x0003.
    let bits: u16 = 0x8001;
    assert_eq!((((bits as i32) << 1) | 1) as u16, 0x0003);
}

#[test]
fn an_else_that_lowers_to_nothing_is_dropped() {
    // INSTRUMENTED_POP_JUMP_IF_NOT_NONE: `else { DEAD(value); }` has no run-time effect.
    let l = lower("op(_T, (value --)) {\n if (oparg) {\n PyStackRef_CLOSE(value);\n }\n else {\n DEAD(value);\n }\n}\n");
    let c = body(&l, "_T");
    assert_has(&c, "if oparg != 0i32 { vm.stackref_close(value); }");
    assert!(!c.contains("else"), "{c}");
}

#[test]
fn read_through_arguments_pass_the_place_s_value() {
    let l = lower_default(
        "op(_T, (--)) {\n if (_Py_atomic_load_uintptr_relaxed(&tstate->eval_breaker) & _PY_EVAL_EVENTS_MASK) {\n int err = _Py_HandlePending(tstate);\n ERROR_IF(err != 0);\n }\n}\n",
    );
    let c = body(&l, "_T");
    assert_has(
        &c,
        "let arg0_ = vm.ts_eval_breaker(runtime::TState); vm.atomic_load_uintptr_relaxed(arg0_)",
    );
}

#[test]
fn stackrefs_to_pyobjects_is_a_vec_of_borrowed_objects() {
    let l = lower_default(
        "inst(T, (values[oparg*2] -- map)) {\n STACKREFS_TO_PYOBJECTS(values, oparg*2, values_o);\n if (CONVERSION_FAILED(values_o)) {\n DECREF_INPUTS();\n ERROR_IF(true);\n }\n PyObject *map_o = _PyDict_FromItems(values_o, 2, values_o+1, 2, oparg);\n STACKREFS_TO_PYOBJECTS_CLEANUP(values_o);\n DECREF_INPUTS();\n ERROR_IF(map_o == NULL);\n map = PyStackRef_FromPyObjectStealMortal(map_o);\n}\n",
    );
    let c = body(&l, "T");
    assert_has(
        &c,
        "let values_o: Vec<runtime::Obj> = [&values[..]].concat()[(0isize) as usize..][..count_",
    );
    assert_has(&c, ".iter().map(|r| vm.stackref_as_borrow(*r)).collect();");
    assert_has(&c, "vm.conversion_failed(&values_o[..])");
    assert_has(
        &c,
        "vm.dict_from_items(&values_o[..], 2i64, &values_o[(1i64 as usize).min(values_o.len())..], 2i64, oparg as i64,)",
    );
}

/// `digit ob_digit[1]` is read element-wise: the index is the template's `{0}` (a C
/// `Py_ssize_t`), and the `digit` widens to `Py_ssize_t` like any `uint32_t`.
#[test]
fn array_field_element_is_the_getter_of_its_index() {
    let l = lower("op(_T, (sub_st --)) {\n PyObject *sub = PyStackRef_AsPyObjectBorrow(sub_st);\n Py_ssize_t index = ((PyLongObject*)sub)->long_value.ob_digit[0];\n DEOPT_IF(index > 3);\n PyStackRef_CLOSE(sub_st);\n}\n");
    let c = body(&l, "_T");
    assert_has(&c, "vm.long_ob_digit(sub, 0i64)");
    assert_has(&c, "as i64");
}

/// `frame->localsplus[i] = v` is the array field's `set` template with the index as `{0}`.
#[test]
fn array_field_store_is_the_setter_of_its_index() {
    let l = lower("op(_T, (v --)) {\n frame->localsplus[oparg + 1] = v;\n}\n");
    let c = body(&l, "_T");
    // C's `oparg + 1` (int) converted to the `Py_ssize_t` index
    assert_has(
        &c,
        "vm.frame_set_localsplus(base_, oparg.wrapping_add(1i32) as i64, v)",
    );
}

#[test]
fn free_threading_pointer_store_assigns_its_first_argument_in_place() {
    // Without Py_GIL_DISABLED, `FT_ATOMIC_STORE_PTR_RELEASE(dst, v)` is `dst = v`: the binding
    // takes `dst` as a place (`byref`), so the local itself is written, not a copy of it.
    // (the project's own table: the fixture table has no free-threading entries)
    let table = subset::Bindings::load(&subset::Bindings::default_path()).expect("table loads");
    let src = SourceFile::new(
        "t.c",
        "op(_T, (v --)) {\n PyObject *o = PyStackRef_AsPyObjectSteal(v);\n PyObject *p = NULL;\n FT_ATOMIC_STORE_PTR_RELEASE(p, o);\n Py_DECREF(p);\n}\n",
    );
    let l = translate_source(&src, Some(Version::V3_14), &table).expect("pipeline");
    let c = body(&l, "_T");
    assert_has(&c, "vm.ft_atomic_store_ptr_release(&mut p, o)");
}

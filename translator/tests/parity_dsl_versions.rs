//! Version-specific analysis rules on small hand-written inputs, with hand-computed
//! expectations (opcode and uop-id assignment, replicate/split variants, 3.12 families,
//! per-version flags) and the analyzer's typed errors with their positions.

use translator::analysis::{self, cexpr, AnalysisErrorKind, Version};
use translator::dsl::{self, SourceFile};

fn analyze(text: &str, v: Version) -> Result<analysis::Analysis, analysis::AnalysisError> {
    let src = SourceFile::new("t.c", text);
    let file = dsl::parse(&src).unwrap_or_else(|e| panic!("parse: {e}"));
    analysis::analyze_version(&file, &src, None, v)
}

fn values(expr: &str) -> Vec<i64> {
    (0..4)
        .map(|o| cexpr::eval_oparg(expr, o).unwrap())
        .collect()
}

const V314: &str = "\
inst(NOP, (--)) { }
inst(CACHE, (--)) { }
inst(RESERVED, (--)) { }
inst(RESUME, (--)) { int x = oparg; }
replicate(2) inst(LOAD_FAST, (-- value)) { value = GETLOCAL(oparg); }
op(_GUARD, (counter/1, left -- left)) { DEOPT_IF(left == 0); }
op(_ADD, (left, right -- res)) { res = left + right; }
macro(BINARY) = _GUARD + unused/2 + _ADD;
inst(BINARY_SPEC, (unused/3, left, right -- res)) { res = left; }
family(BINARY, 3) = { BINARY_SPEC };
pseudo(JUMPY, (--), (HAS_ARG)) = { NOP };
";

#[test]
fn opcodes_and_uop_ids_3_14() {
    let a = analyze(V314, Version::V3_14).unwrap();
    let op = |n: &str| a.opmap.get(n).copied();
    // Hand-computed: no-arg names sorted (BINARY, CACHE*, NOP, RESERVED*) from 1, skipping
    // reserved numbers (3 is BINARY_OP_INPLACE_ADD_UNICODE); then arg names (LOAD_FAST,
    // RESUME* = 128); specialized from 129; pseudos from 256.
    assert_eq!(op("BINARY"), Some(1));
    assert_eq!(op("NOP"), Some(2));
    assert_eq!(op("LOAD_FAST"), Some(4));
    assert_eq!(op("CACHE"), Some(0));
    assert_eq!(op("RESERVED"), Some(17));
    assert_eq!(op("RESUME"), Some(128));
    assert_eq!(op("BINARY_SPEC"), Some(129));
    assert_eq!(op("ENTER_EXECUTOR"), Some(255));
    assert_eq!(op("JUMPY"), Some(256));
    assert_eq!((a.have_arg, a.min_instrumented), (Some(4), Some(254)));
    let id = |n: &str| a.uop_ids.get(n).copied();
    assert_eq!(id("_EXIT_TRACE"), Some(300));
    assert_eq!(id("_SET_IP"), Some(301));
    assert_eq!(id("_ADD"), Some(302));
    assert_eq!(id("_BINARY_SPEC"), Some(129)); // shares the instruction's opcode
    assert_eq!(id("_GUARD"), Some(303));
    assert_eq!(id("_LOAD_FAST"), Some(304)); // replicated: own id
    assert_eq!(id("_LOAD_FAST_0"), Some(305));
    assert_eq!(id("_LOAD_FAST_1"), Some(306));
    assert_eq!(id("_NOP"), Some(2));
    assert_eq!(id("_RESUME"), Some(128));
}

#[test]
fn instructions_3_14() {
    let a = analyze(V314, Version::V3_14).unwrap();
    let b = a.instruction("BINARY").unwrap();
    assert_eq!((b.popped.as_str(), b.pushed.as_str()), ("2", "1"));
    assert_eq!(b.cache_entries(), 3);
    assert_eq!(b.cache_slots.len(), 1);
    assert_eq!(
        (
            b.cache_slots[0].name.as_str(),
            b.cache_slots[0].offset,
            b.cache_slots[0].uop.as_str()
        ),
        ("counter", 0, "_GUARD")
    );
    assert_eq!(b.properties.flags(), vec!["HAS_DEOPT_FLAG"]);
    let spec = a.instruction("BINARY_SPEC").unwrap();
    assert_eq!(spec.deopt(), "BINARY");
    let lf = a.instruction("LOAD_FAST").unwrap();
    assert_eq!(
        lf.properties.flags(),
        vec!["HAS_ARG_FLAG", "HAS_LOCAL_FLAG"]
    );
    let lf0 = a.uop("_LOAD_FAST_0").unwrap();
    assert_eq!(lf0.properties.flags(), vec!["HAS_LOCAL_FLAG"]);
    assert_eq!(lf0.properties.const_oparg, Some(0));
    let p = a.pseudo("JUMPY").unwrap();
    assert_eq!(p.flag_names(Version::V3_14), vec!["HAS_ARG_FLAG"]);
    assert_eq!(
        (p.popped.as_deref(), p.pushed.as_deref()),
        (Some("0"), Some("0"))
    );
    let json: serde_json::Value = serde_json::from_str(&a.metadata().to_json()).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, vec!["instructions", "pseudos", "uops"]);
    let first = &json["instructions"][0];
    assert_eq!(first["name"], "BINARY");
    assert_eq!(first["opcode"], 1);
    assert_eq!(first["cache_entries"], 3);
    assert_eq!(first["deopt"], "BINARY");
    let text = a.metadata().to_text();
    assert!(text.contains("BINARY_SPEC"), "{text}");
    assert!(
        text.ends_with("7 instructions, 1 pseudos, 10 uops\n"),
        "{text}"
    );
}

const V313: &str = "\
inst(CACHE, (--)) { }
split op(_LOAD_ATTR_X, (index/1, owner -- attr, null if (oparg & 1))) { attr = owner; null = NULL; }
macro(LOAD_ATTR_X) = unused/1 + _LOAD_ATTR_X;
inst(IMPORT_NAME, (a -- b)) { b = import_name(tstate, a); ERROR_IF(b == NULL, error); }
inst(JUMP_BACKWARD, (--)) { CHECK_EVAL_BREAKER(); JUMPBY(-oparg); }
pseudo(JUMP) = { JUMP_BACKWARD };
";

#[test]
fn split_conditional_items_and_3_13_flags() {
    let a = analyze(V313, Version::V3_13).unwrap();
    let l = a.instruction("LOAD_ATTR_X").unwrap();
    assert_eq!(values(&l.popped), vec![1, 1, 1, 1]);
    assert_eq!(values(&l.pushed), vec![1, 2, 1, 2]);
    assert_eq!(l.cache_slots[0].offset, 1);
    let u = a.uop("_LOAD_ATTR_X").unwrap();
    assert_eq!(
        u.properties.flags(),
        vec!["HAS_ARG_FLAG", "HAS_OPARG_AND_1_FLAG"]
    );
    for bit in ["0", "1"] {
        let v = a.uop(&format!("_LOAD_ATTR_X_{bit}")).unwrap();
        assert!(v.properties.flags().is_empty());
        assert_eq!(v.outputs[1].cond.as_deref(), Some(bit));
    }
    let imp = a.instruction("IMPORT_NAME").unwrap();
    assert_eq!(
        imp.properties.flags(),
        vec!["HAS_ERROR_FLAG", "HAS_ESCAPES_FLAG"]
    );
    let jb = a.instruction("JUMP_BACKWARD").unwrap();
    assert_eq!(
        jb.properties.flags(),
        vec!["HAS_ARG_FLAG", "HAS_JUMP_FLAG", "HAS_EVAL_BREAK_FLAG"]
    );
    // 3.14 rules: CHECK_EVAL_BREAKER no longer sets the flag (only *CHECK_PERIODIC* ops do).
    let a14 = analyze(V313, Version::V3_14).unwrap();
    let jb14 = a14.instruction("JUMP_BACKWARD").unwrap();
    assert_eq!(
        jb14.properties.flags(),
        vec!["HAS_ARG_FLAG", "HAS_JUMP_FLAG"]
    );
    let p = a.pseudo("JUMP").unwrap();
    assert_eq!((p.popped.as_ref(), p.opcode.is_some()), (None, true));
    assert_eq!(
        p.flag_names(Version::V3_13),
        vec!["HAS_ARG_FLAG", "HAS_JUMP_FLAG", "HAS_EVAL_BREAK_FLAG"]
    );
    // INSTRUMENTED_LINE keeps 254 even when bytecodes.c does not define it (3.13).
    assert_eq!(a.opmap.get("INSTRUMENTED_LINE"), Some(&254));
    assert_eq!(a.opmap.get("ENTER_EXECUTOR"), None);
}

const V312: &str = "\
inst(NOP, (--)) { }
inst(LOAD_FAST, (-- value)) { value = GETLOCAL(oparg); Py_INCREF(value); }
inst(BINARY_OP, (unused/1, lhs, rhs -- res)) { res = PyNumber_Add(lhs, rhs); ERROR_IF(res == NULL, error); }
inst(BINARY_OP_ADD_INT, (unused/1, left, right -- sum)) { DEOPT_IF(!PyLong_CheckExact(left), BINARY_OP); sum = _PyLong_Add(left, right); }
family(binary_op, INLINE_CACHE_ENTRIES_BINARY_OP) = { BINARY_OP, BINARY_OP_ADD_INT };
super(LOAD_FAST__LOAD_FAST) = LOAD_FAST + LOAD_FAST;
inst(POP_TOP, (PyObject *value --)) { Py_DECREF(value); }
";

#[test]
fn version_3_12_families_supers_and_flags() {
    let src = SourceFile::new("t.c", V312);
    let file = dsl::parse(&src).unwrap();
    assert_eq!(Version::detect(&file), Version::V3_12);
    let a = analysis::analyze(&file, &src, None).unwrap();
    assert_eq!(a.version, Version::V3_12);
    assert!(a.opmap.is_empty());
    let fam = &a.families[0];
    assert_eq!(
        (fam.name.as_str(), fam.written_name.as_str()),
        ("BINARY_OP", "binary_op")
    );
    assert_eq!(fam.members, vec!["BINARY_OP_ADD_INT"]);
    assert_eq!(
        a.instruction("BINARY_OP_ADD_INT").unwrap().deopt(),
        "BINARY_OP"
    );
    assert_eq!(a.instruction("BINARY_OP").unwrap().deopt(), "BINARY_OP");
    let sup = a.instruction("LOAD_FAST__LOAD_FAST").unwrap();
    assert_eq!((sup.popped.as_str(), sup.pushed.as_str()), ("0", "2"));
    let meta = a.metadata();
    assert!(meta.uops.is_empty());
    let by = |n: &str| meta.instructions.iter().find(|i| i.name == n).unwrap();
    // 3.12 knew four flags only: LOCAL, ERROR and ESCAPES did not exist yet.
    assert_eq!(by("LOAD_FAST").flags, vec!["HAS_ARG_FLAG"]);
    assert!(by("BINARY_OP").flags.is_empty());
    assert_eq!(by("NOP").opcode, None);
    assert_eq!(
        (by("POP_TOP").popped.as_str(), by("POP_TOP").pushed.as_str()),
        ("1", "0")
    );
}

fn err(text: &str, v: Version) -> analysis::AnalysisError {
    match analyze(text, v) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e,
    }
}

#[test]
fn analyzer_errors_are_typed_and_located() {
    let e = err("inst(A, (--)) { }\ninst(A, (--)) { }\n", Version::V3_14);
    assert_eq!((e.line, e.col), (2, 1));
    assert!(
        matches!(e.kind, AnalysisErrorKind::Duplicate { ref name, prev_line: 1 } if name == "A")
    );

    let e = err("op(_A, (--)) { }\nop(_A, (--)) { }\n", Version::V3_14);
    assert!(matches!(e.kind, AnalysisErrorKind::Duplicate { .. }), "{e}");
    // `override` makes the second definition legal.
    analyze(
        "op(_A, (--)) { }\noverride op(_A, (--)) { }\n",
        Version::V3_14,
    )
    .unwrap();

    let e = err("op(_A, (--)) { }\nmacro(M) = _A + _NOPE;\n", Version::V3_14);
    assert_eq!((e.line, e.col), (2, 17));
    assert_eq!(e.kind, AnalysisErrorKind::UnknownMacroPart("_NOPE".into()));

    let e = err("inst(A, (--)) { }\nfamily(A, 0) = { B };\n", Version::V3_14);
    assert_eq!(e.line, 2);
    assert!(
        matches!(e.kind, AnalysisErrorKind::UnknownFamilyMember { ref member, .. } if member == "B")
    );

    let e = err(
        "inst(A, (--)) { }\npseudo(P, (--)) = { Q };\n",
        Version::V3_14,
    );
    assert!(
        matches!(e.kind, AnalysisErrorKind::UnknownPseudoTarget { ref target, .. } if target == "Q")
    );

    let e = err("op(_A, (unused/1, x -- x)) { }\n", Version::V3_14);
    assert_eq!(e.kind, AnalysisErrorKind::UnusedCacheInOp("First"));
    assert_eq!((e.line, e.col), (1, 9));

    let e = err(
        "op(_A, (x -- x)) { DEOPT_IF(x); EXIT_IF(x); }\n",
        Version::V3_14,
    );
    assert_eq!(e.kind, AnalysisErrorKind::DeoptAndExit);

    let e = err(
        "op(_A, (x -- x)) {\n    DEOPT_IF(PyObject_IsTrue(x));\n}\n",
        Version::V3_14,
    );
    assert_eq!((e.line, e.col), (2, 14));
    assert_eq!(
        e.kind,
        AnalysisErrorKind::EscapingCallInCondition("PyObject_IsTrue".into())
    );
    assert_eq!(
        e.to_string(),
        "t.c:2:14: escaping call 'PyObject_IsTrue' in condition"
    );

    let e = err("op(_A, (a, b -- b, a)) { }\n", Version::V3_14);
    assert!(
        matches!(e.kind, AnalysisErrorKind::VariableReuse(ref n) if n == "b"),
        "{e}"
    );
    // 3.13 did not have that rule.
    analyze("op(_A, (a, b -- b, a)) { }\n", Version::V3_13).unwrap();

    let e = err(
        "inst(A, (--)) { }\npseudo(A, (--)) = { A };\n",
        Version::V3_14,
    );
    assert_eq!(e.line, 2);
    assert!(
        matches!(e.kind, AnalysisErrorKind::Duplicate { prev_line: 1, .. }),
        "{e}"
    );
}

#[test]
fn opcode_space_exhaustion_is_an_error() {
    // 130 specialized members from 129 would run into the instrumented range at 254.
    let mut text = String::from("inst(H, (--)) { }\n");
    let members: Vec<String> = (0..130).map(|i| format!("H_{i}")).collect();
    for m in &members {
        text.push_str(&format!("inst({m}, (--)) {{ }}\n"));
    }
    text.push_str(&format!("family(H, 0) = {{ {} }};\n", members.join(", ")));
    let e = err(&text, Version::V3_14);
    assert!(
        matches!(e.kind, AnalysisErrorKind::Opcodes(ref m) if m.contains("exhausted")),
        "{e}"
    );
    assert_eq!(e.line, 131);
}

#[test]
fn family_consistency_3_12() {
    let ok = "inst(A, (unused/1, x -- y)) { }\ninst(A_1, (unused/1, x -- y)) { }\n\
              family(a, 1) = { A, A_1 };\n";
    analyze(ok, Version::V3_12).unwrap();
    let bad = "inst(A, (unused/1, x -- y)) { }\ninst(A_1, (unused/1, x -- y, z)) { }\n\
               family(a, 1) = { A, A_1 };\n";
    let e = err(bad, Version::V3_12);
    assert_eq!(e.line, 3);
    assert_eq!(
        e.kind,
        AnalysisErrorKind::InconsistentFamily(Box::new(analysis::FamilyEffects {
            family: "a".into(),
            head: "A".into(),
            member: "A_1".into(),
            expected: (1, 1, 1),
            got: (1, 1, 2),
        }))
    );
    // 3.13+ generators dropped the stack-effect rule.
    let later = bad.replace("family(a, 1) = { A, A_1 }", "family(A, 1) = { A_1 }");
    analyze(&later, Version::V3_14).unwrap();
    let e = err("inst(A, (--)) { }\nfamily(a, 0) = { A };\n", Version::V3_12);
    assert_eq!(
        e.kind,
        AnalysisErrorKind::InsufficientFamilyMembers("a".into())
    );
}

#[test]
fn replicate_range_3_15() {
    let a = analyze(
        "replicate(1:3) inst(LOAD_SMALL, (-- v)) { v = oparg; }\n",
        Version::V3_15,
    )
    .unwrap();
    assert_eq!(a.uop("LOAD_SMALL").unwrap().replicated, 1..3);
    assert!(a.uop("_LOAD_SMALL_0").is_none());
    assert_eq!(
        a.uop("_LOAD_SMALL_1").unwrap().properties.const_oparg,
        Some(1)
    );
    assert_eq!(
        a.uop("_LOAD_SMALL_2").unwrap().properties.const_oparg,
        Some(2)
    );
    // Replicated: the base uop gets its own id instead of sharing the opcode.
    assert_eq!(a.uop_ids.get("_LOAD_SMALL"), Some(&302));
    assert_eq!(a.uop_ids.get("_LOAD_SMALL_2"), Some(&304));
}

/// 3.12's generator reads an inst's cache entries at their source positions, `unused` ones
/// included (3.12 `LOAD_ATTR_CLASS`); 3.13+ moves `unused/N` around the inst's own uop.
#[test]
fn interleaved_unused_cache_offsets_by_version() {
    let text = "inst(NOP, (--)) { }\n\
                inst(LOAD_ATTR_CLASS, (unused/1, type_version/2, unused/2, descr/4, cls -- res)) { res = cls; }\n";
    let slot = |a: &analysis::Analysis, name: &str| {
        a.instruction("LOAD_ATTR_CLASS")
            .unwrap()
            .cache_slots
            .iter()
            .find(|s| s.name == name)
            .map(|s| (s.offset, s.size))
    };
    let a = analyze(text, Version::V3_12).unwrap();
    // Hand-computed: 1 + 2 + 2 units before `descr`.
    assert_eq!(slot(&a, "type_version"), Some((1, 2)));
    assert_eq!(slot(&a, "descr"), Some((5, 4)));
    assert_eq!(a.instruction("LOAD_ATTR_CLASS").unwrap().cache_entries(), 9);
    let a = analyze(text, Version::V3_14).unwrap();
    // analyzer.py: parts are Skip(1), the uop (type_version, descr), Skip(2).
    assert_eq!(slot(&a, "descr"), Some((3, 4)));
    assert_eq!(a.instruction("LOAD_ATTR_CLASS").unwrap().cache_entries(), 9);
}

/// 3.12 body shapes the C front-end must parse: 3.12-only cache struct and function-pointer
/// type names, and a label that ends its block (valid only once the generator appends code).
#[test]
fn c_bodies_of_3_12_shapes_parse() {
    use translator::cbody::{self, BuildConfig, Prelude};
    let text = "\
// BEGIN BYTECODES //
inst(BINARY_SUBSCR, (unused/1, container, sub -- res)) {
    _PyBinarySubscrCache *cache = (_PyBinarySubscrCache *)next_instr;
    PyDictOrValues dorv = *_PyObject_DictOrValuesPointer(container);
    res = ((_PyCFunctionFast)(void(*)(void))cfunc)(container, &sub, 1);
}
inst(FOR_ITER_LIST, (unused/1, iter -- iter, next)) {
    if (iter) {
        goto end_for_iter_list;  // End of this instruction
    }
    next = iter;
end_for_iter_list:
    // Common case: no jump, leave it to the code generator
}
// END BYTECODES //
";
    let src = SourceFile::new("b.c", text);
    let file = dsl::parse(&src).unwrap();
    let parsed = cbody::parse_file(
        &src,
        &file,
        &BuildConfig::default_build(),
        &Prelude::builtin(),
    );
    let failures: Vec<String> = parsed.failures().map(|(_, e)| e.to_string()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(parsed.parsed_count(), 2);
    // Without the 3.12 name the cast is a misparse, reported rather than accepted.
    let without = cbody::parse_file(
        &src,
        &file,
        &BuildConfig::default_build(),
        &Prelude::builtin().without("_PyBinarySubscrCache"),
    );
    assert_eq!(without.failures().count(), 1);
}

/// `DECREF_INPUTS()` escapes in 3.15 (its headers flag IS_OP ESCAPES) but not in 3.14, whose
/// header gives the same IS_OP body no ESCAPES flag.
#[test]
fn decref_inputs_escapes_from_3_15() {
    let text =
        "inst(IS_OP, (left, right -- b)) { int res = (left == right) ^ oparg; DECREF_INPUTS(); b = res; }\n";
    let flags = |v: Version| -> Vec<String> {
        analyze(text, v).unwrap().metadata().instructions[0]
            .flags
            .clone()
    };
    assert_eq!(flags(Version::V3_14), vec!["HAS_ARG_FLAG"]);
    assert_eq!(
        flags(Version::V3_15),
        vec!["HAS_ARG_FLAG", "HAS_ESCAPES_FLAG"]
    );
}

//! Bad input never panics: every registry entry is called with arguments drawn from hostile
//! pools (NULL, freed objects, wrong kinds, extreme integers, dangling frames and code
//! pointers). Misuse must surface as violations or Python exceptions, not as a crash.

use runtime::ctype::CClass;
use runtime::object::{CodeData, FunctionData};
use runtime::well_known as wk;
use runtime::{
    CStr, CodePtr, Destructor, EntryPtr, FrameId, IntTy, KeysRef, Obj, StackRef, Value, Vm,
};

/// A tiny deterministic generator (xorshift), so failures are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[(self.next() % v.len() as u64) as usize]
    }
}

fn pool() -> (Vm, Vec<Obj>) {
    let mut vm = Vm::new();
    let mut objs = vec![
        Obj::NULL,
        wk::NONE,
        wk::TRUE,
        wk::LONG_TYPE,
        wk::EXC_TYPE_ERROR,
        wk::EMPTY_TUPLE,
    ];
    let ints = [0i64, -5, 256, 1 << 40, i64::MIN, i64::MAX];
    for i in ints {
        objs.push(vm.new_int(i));
    }
    objs.push(vm.new_int_big(num_bigint::BigInt::from(1u128 << 100)));
    for f in [0.0, -0.0, f64::NAN, f64::INFINITY, 1e308] {
        objs.push(vm.new_float(f));
    }
    let s = vm.new_str("héllo");
    objs.push(s);
    objs.push(vm.intern("name"));
    objs.push(vm.new_bytes(b"ab"));
    let a = vm.new_int(1);
    let t = vm.new_tuple(vec![a, s]);
    vm.heap.incref(s);
    objs.push(t);
    let l = vm.new_list(vec![]);
    objs.push(l);
    let d = vm.new_dict();
    let k = vm.intern("k");
    vm.dict_set_item(d, k, l);
    objs.push(d);
    objs.push(vm.new_set(vec![], false));
    objs.push(vm.new_range(0, 10, 3));
    objs.push(vm.new_range(i64::MAX - 1, i64::MIN, -(1 << 62)));
    let sl = vm.slice_new(wk::NONE, a, Obj::NULL);
    objs.push(sl);
    objs.push(vm.object_get_iter(l));
    objs.push(vm.new_cell(a));
    let code = vm.simple_code(vec![1, 2, 3, 4, 5, 6, 7, 8], vec![], &["x"], 2, 4);
    objs.push(code);
    vm.heap.incref(code);
    let f = vm.new_function(FunctionData::plain(code, d, d, k, 7));
    vm.heap.incref(d);
    vm.heap.incref(d);
    objs.push(f);
    objs.push(vm.new_type("C", wk::OBJECT_TYPE, 0));
    vm.heap.incref(d);
    objs.push(vm.new_module(d));
    let ex = vm.new_exception(wk::EXC_KEY_ERROR, wk::EMPTY_TUPLE);
    objs.push(ex);
    objs.push(vm.new_opaque(wk::OPAQUE_TYPE, 12345));
    // a freed object and a handle that was never allocated
    let gone = vm.new_int(99999);
    vm.heap.decref(gone);
    objs.push(gone);
    objs.push(Obj(1_000_000));
    let _ = CodeData::clone;
    vm.push_frame(code, f, d, d);
    vm.push_obj(a);
    vm.heap.incref(a);
    (vm, objs)
}

fn arg(rng: &mut Rng, class: CClass, objs: &[Obj]) -> Value {
    let o = rng.pick(objs);
    match class {
        CClass::Void => Value::Void,
        CClass::Int(ty) | CClass::ReadInt(ty) | CClass::OutInt(ty) => Value::Int(
            ty.wrap(rng.pick(&[
                0i128,
                1,
                -1,
                2,
                13,
                26,
                255,
                65535,
                i32::MAX as i128,
                i64::MIN as i128,
                1 << 40,
            ])),
            ty,
        ),
        CClass::Double => Value::Float(rng.pick(&[0.0, -1.5, f64::NAN, f64::INFINITY, 1e300])),
        CClass::Obj | CClass::OutObj => Value::Obj(o),
        // Slots inside and outside the frame (the registry must refuse, not panic).
        CClass::StackRefArray | CClass::ObjArray => Value::Slots(runtime::Slots {
            start: rng.pick(&[0u32, 1, 2, 1000, u32::MAX]),
            len: rng.pick(&[0u32, 1, 2, 5, u32::MAX]),
        }),
        CClass::StackRef | CClass::OutStackRef => Value::StackRef(rng.pick(&[
            StackRef::NULL,
            StackRef::owned(o),
            StackRef::deferred(o),
            StackRef::tag_int(-3),
            StackRef::NONE,
        ])),
        CClass::Frame => Value::Frame(rng.pick(&[FrameId(0), FrameId::NULL, FrameId(77)])),
        CClass::TState => Value::TState(runtime::TState),
        CClass::Code => Value::Code(CodePtr {
            code: o,
            index: rng.pick(&[0, 1, 7, 8, -1, i64::MAX]),
        }),
        CClass::Keys => Value::Keys(KeysRef(o)),
        CClass::Entry => Value::Entry(EntryPtr {
            dict: o,
            index: rng.pick(&[0, 1, -1, 1 << 40]),
        }),
        CClass::Destructor => {
            Value::Destructor(rng.pick(&[Destructor::LongExact, Destructor::Generic]))
        }
        CClass::CStr => Value::CStr(rng.pick(&[
            CStr::Lit("%s %d %R %U %.3s %%"),
            CStr::Null,
            CStr::TypeName(o),
            CStr::Utf8(o),
        ])),
    }
}

#[test]
fn no_registry_entry_panics_on_hostile_arguments() {
    let (base, objs) = pool();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut calls = 0;
    for e in runtime::registry::entries() {
        for _ in 0..40 {
            let mut vm = base.clone();
            let mut args: Vec<Value> = e
                .c_params
                .iter()
                .map(|p| arg(&mut rng, p.class, &objs))
                .collect();
            if e.variadic {
                args.push(Value::Obj(rng.pick(&objs)));
                args.push(Value::Int(5, IntTy::INT));
            }
            let shown = format!("{args:?}");
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _ = e.invoke(&mut vm, &mut args);
                // the state stays inspectable after misuse
                let _ = runtime::Snapshot::take(&vm, None);
                let _ = vm.refcount_errors();
            }));
            assert!(r.is_ok(), "{} panicked with {shown}", e.name);
            calls += 1;
        }
    }
    assert!(calls > 10_000);
}

//! The cost of one differential check as the harness will run it: clone a prepared state twice,
//! run a body on each copy (BINARY_OP_ADD_INT-like), snapshot both and diff.

use criterion::{criterion_group, criterion_main, Criterion};
use runtime::handles::Destructor;
use runtime::{FaultPlan, Obj, Outcome, Snapshot, Vm};
use std::hint::black_box;

fn state() -> Vm {
    let mut vm = Vm::new();
    let globals = vm.new_dict();
    vm.roots.push(globals);
    let code = vm.simple_code(vec![0; 8], vec![], &["x"], 2, 4);
    vm.push_frame(code, Obj::NULL, globals, globals);
    vm.heap.decref(code);
    let a = vm.new_int(1000);
    let b = vm.new_int(2000);
    vm.push_obj(a);
    vm.push_obj(b);
    vm
}

fn add_int(vm: &mut Vm) -> Outcome {
    let right = vm.pop();
    let left = vm.pop();
    let l = vm.stackref_as_borrow(left);
    let r = vm.stackref_as_borrow(right);
    let res = vm.long_add(l, r);
    vm.stackref_close_specialized(left, Destructor::LongExact);
    vm.stackref_close_specialized(right, Destructor::LongExact);
    if res.is_null() {
        return Outcome::Error {
            label: "pop_2_error",
        };
    }
    let out = vm.stackref_from_steal(res);
    vm.push(out);
    Outcome::Continue
}

fn bench(c: &mut Criterion) {
    let base = state();
    c.bench_function("vm_new", |b| b.iter(|| black_box(Vm::new())));
    c.bench_function("vm_clone", |b| b.iter(|| black_box(base.clone())));
    c.bench_function("check_add_int", |b| {
        b.iter(|| {
            let mut x = base.clone();
            let mut y = base.clone();
            x.begin_run(FaultPlan::default());
            y.begin_run(FaultPlan::default());
            let ox = add_int(&mut x);
            let oy = add_int(&mut y);
            if runtime::snapshot::quick_equal(&x, Some(ox), &y, Some(oy)) {
                return true;
            }
            let sx = Snapshot::take(&x, Some(ox));
            let sy = Snapshot::take(&y, Some(oy));
            black_box(sx == sy)
        })
    });
    c.bench_function("snapshot", |b| {
        b.iter(|| black_box(Snapshot::take(&base, None)))
    });
    let entry = runtime::lookup("PyNumber_Add").expect("registered");
    c.bench_function("registry_call", |b| {
        let mut vm = base.clone();
        let a = vm.new_int(5);
        let bb = vm.new_int(7);
        b.iter(|| {
            let mut args = [runtime::Value::Obj(a), runtime::Value::Obj(bb)];
            black_box(entry.invoke(&mut vm, &mut args).ok())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

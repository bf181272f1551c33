//! The calculator exercise's eval run: every case of a dataset (harvested from failing demo
//! traces by `genai-trace harvest`) asked of the demo's ReAct agent under the eval harness,
//! scored with the demo's `arithmetic` scorer, and the report written for `genai-trace gate`.

use std::path::PathBuf;

use genai_tracing::capture::CapturePolicy;
use genai_tracing::eval::{Dataset, Eval, EvalCase, EvalReport};

use crate::agent::{Model, ReactAgent};
use crate::scorers::arithmetic;
use crate::tools::Calculator;

/// The command line.
pub const USAGE: &str =
    "usage: calculator_eval --dataset FILE [--report FILE] [--traces FILE] [--buggy-calculator] [--replay]
  Runs every case of FILE through the demo agent, scores it (arithmetic), prints the report and
  writes it as JSON to --report (default target/eval/calculator.json) for `genai-trace gate`.
  --traces also appends each run's trace (scores attached) as OTLP-JSON. --replay serves each
  case's recorded model and tool outputs instead of calling them: the harvested run, replayed.";

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalOptions {
    /// The dataset.
    pub dataset: PathBuf,
    /// Where the report goes.
    pub report: PathBuf,
    /// Where the traces go, if anywhere.
    pub traces: Option<PathBuf>,
    /// Run with the off-by-one calculator.
    pub buggy_calculator: bool,
    /// Serve the cases' recordings.
    pub replay: bool,
}

impl EvalOptions {
    /// Reads the command line (without the program name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let (mut dataset, mut report, mut traces) = (None, None, None);
        let (mut buggy, mut replay) = (false, false);
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| {
                args.next()
                    .filter(|v| !v.trim().is_empty())
                    .map(PathBuf::from)
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match arg.as_str() {
                "--dataset" => dataset = Some(value("--dataset")?),
                "--report" => report = Some(value("--report")?),
                "--traces" => traces = Some(value("--traces")?),
                "--buggy-calculator" => buggy = true,
                "--replay" => replay = true,
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(Self {
            dataset: dataset.ok_or("--dataset is required")?,
            report: report.unwrap_or_else(|| PathBuf::from("target/eval/calculator.json")),
            traces,
            buggy_calculator: buggy,
            replay,
        })
    }
}

/// Why the run could not happen.
#[derive(Debug, thiserror::Error)]
pub enum EvalRunError {
    /// The dataset could not be read.
    #[error(transparent)]
    Dataset(#[from] genai_tracing::eval::DatasetError),
    /// The report could not be written.
    #[error(transparent)]
    Report(#[from] genai_tracing::eval::ReportError),
    /// No Tokio runtime.
    #[error("cannot start the runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// Runs the eval and writes its report.
pub fn run(options: &EvalOptions) -> Result<EvalReport, EvalRunError> {
    let dataset = Dataset::load(&options.dataset)?;
    // The scorer reads the calculator's arguments and results.
    genai_tracing::capture::set_content_capture(CapturePolicy::Content);
    let agent = ReactAgent {
        model: Model::default(),
        calculator: Calculator {
            buggy: options.buggy_calculator,
        },
    };
    let mut eval = Eval::new(dataset)
        .scorer(arithmetic())
        .replay(options.replay);
    if let Some(traces) = &options.traces {
        eval = eval.traces_to(traces);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(eval.run(|case: EvalCase| {
        let agent = &agent;
        async move { agent.answer(&case.input_text()).await }
    }));
    report.save(&options.report)?;
    Ok(report)
}

/// The example's `main`: 0 when the report is written (the gate judges it), 1 when the run
/// could not happen, 2 for bad arguments.
pub fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return std::process::ExitCode::SUCCESS;
    }
    let options = match EvalOptions::parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("calculator_eval: {message}\n{USAGE}");
            return std::process::ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(report) => {
            print!("{report}");
            println!("report written to {}", options.report.display());
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("calculator_eval: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

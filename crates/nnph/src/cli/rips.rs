//! `nnph rips`: Vietoris–Rips persistence of a distance matrix or point cloud.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use nnph::complex::budget::MemoryBudget;
use nnph::complex::distances::{DistanceFormat, DistanceInput, DistanceMatrix, read_input};
use nnph::complex::rips::{RipsComplex, RipsOptions};
use nnph::homology::reduce::{RipsPersistenceOptions, rips_persistence};

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nnph rips dist.lower_distance_matrix --max-dim 2          Ripser's default format
  nnph rips points.txt --format point-cloud --max-dim 3 --threshold 1.8
  nnph rips dist.npy --format npy --coeff 3 --json d.json --threads 1")]
pub(super) struct RipsArgs {
    /// The distance matrix or point cloud.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Input format (as Ripser's --format, plus npy). `point-cloud` also accepts an n × d
    /// `.npy` array (recognised by its magic string).
    #[arg(long, value_enum, default_value_t = RipsFormatArg::LowerDistance)]
    format: RipsFormatArg,
    /// Highest homology dimension computed.
    #[arg(long, alias = "dim", default_value_t = 1, value_name = "K")]
    max_dim: usize,
    /// Largest diameter of a simplex (default: the enclosing radius, above which homology is
    /// trivial).
    #[arg(long, value_name = "T")]
    threshold: Option<f64>,
    /// Coefficients in Z/P for a prime P < 2^16.
    #[arg(long, alias = "coeff", default_value_t = 2, value_name = "P")]
    modulus: u16,
    /// Memory the computation may use, e.g. 512MB, 4GiB, 50% (of physical memory) or
    /// unlimited. Refused before starting if the estimate is larger.
    #[arg(long, default_value = "50%", value_name = "B")]
    memory_budget: String,
    /// Also write the diagram as nnph-diagram/1 JSON.
    #[arg(long, value_name = "OUT")]
    json: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RipsFormatArg {
    /// Strict lower triangle, row by row.
    LowerDistance,
    /// Full square matrix (lower triangle used).
    Distance,
    /// One point per line (or an n × d .npy); Euclidean distances.
    PointCloud,
    /// `i j d` triplets; absent pairs are at infinity.
    Sparse,
    /// A square 2-D float or integer .npy distance matrix: zero diagonal and symmetric (within
    /// 1e-6 relative), entries ≥ 0, +inf allowed for absent pairs.
    Npy,
}

/// The `.npy` magic string.
const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// Relative tolerance of the symmetry and zero-diagonal checks of `.npy` distance matrices
/// (float32 matrices computed by NumPy are symmetric only up to rounding).
const NPY_TOLERANCE: f64 = 1e-6;

fn read_npy_input(path: &Path, bytes: &[u8], points: bool) -> Result<DistanceInput> {
    let array = nnph::network::npy::read_npy(bytes)
        .with_context(|| format!("{}: not a valid .npy file", path.display()))?;
    let values = array.to_f64_vec().with_context(|| format!("{}", path.display()))?;
    let d = match (points, array.shape.as_slice()) {
        (true, &[n, dim]) => DistanceMatrix::from_flat_points(n, dim, &values),
        (true, &[n]) => DistanceMatrix::from_flat_points(n, 1, &values),
        (false, &[n, m]) if n == m => DistanceMatrix::from_square(n, &values, NPY_TOLERANCE),
        (true, shape) => bail!("{}: a point cloud must be n × d, not {shape:?}", path.display()),
        (false, shape) => {
            bail!("{}: a distance matrix must be square n × n, not {shape:?}", path.display())
        }
    };
    Ok(DistanceInput::Dense(d.with_context(|| format!("{}", path.display()))?))
}

pub(super) fn cmd_rips(a: &RipsArgs) -> Result<()> {
    let path = &a.file;
    let budget: MemoryBudget = a.memory_budget.parse().context("--memory-budget")?;
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let npy = bytes.starts_with(NPY_MAGIC);
    let format = match a.format {
        RipsFormatArg::Npy => None,
        RipsFormatArg::PointCloud if npy => None,
        RipsFormatArg::LowerDistance => Some(DistanceFormat::LowerDistance),
        RipsFormatArg::Distance => Some(DistanceFormat::Distance),
        RipsFormatArg::PointCloud => Some(DistanceFormat::PointCloud),
        RipsFormatArg::Sparse => Some(DistanceFormat::Sparse),
    };
    let input = match format {
        Some(format) => {
            read_input(&bytes[..], format).with_context(|| format!("{}", path.display()))?
        }
        None => read_npy_input(path, &bytes, matches!(a.format, RipsFormatArg::PointCloud))?,
    };
    drop(bytes);
    let options = RipsOptions::new(a.max_dim, a.threshold).with_memory_budget(budget);
    let t = std::time::Instant::now();
    let rips =
        RipsComplex::from_input(input, &options).with_context(|| format!("{}", path.display()))?;
    super::ui::timing("complex", t.elapsed().as_secs_f64());
    let options = RipsPersistenceOptions::new(a.modulus);
    let spinner = super::ui::spinner(&format!("persistence of {} points", rips.num_points()));
    let t = std::time::Instant::now();
    let diagram =
        rips_persistence(&rips, &options).with_context(|| format!("{}", path.display()))?;
    spinner.finish_and_clear();
    super::ui::timing("persistence", t.elapsed().as_secs_f64());
    super::print_barcodes(&diagram, a.json.as_deref(), path)
}

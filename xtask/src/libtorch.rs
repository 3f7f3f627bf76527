//! Finding or assembling the libtorch that `tch` links against.
//!
//! `tch` 0.26 needs libtorch 2.13.0. When the user exports `LIBTORCH`, that folder is used as
//! is. Otherwise we assemble a lean CPU-only libtorch from three PyPI wheels (the PyTorch
//! download site is often unreachable, PyPI rarely is) into `.libtorch/2.13.0-cpu`, the path
//! `.cargo/config.toml` hands to `torch-sys`. Facts behind the recipe: `shared/docs/LIBTORCH.md`.
//!
//! The install is staged in a sibling folder and renamed into place only once every file is
//! there, so an interrupted bootstrap never leaves a folder that looks like a good install.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail, ensure};

/// The libtorch version `tch` 0.26 is built for.
pub const VERSION: &str = "2.13.0";

/// Folder, relative to the workspace root, that `.cargo/config.toml` points `LIBTORCH` at.
pub const DEFAULT_DIR: &str = ".libtorch/2.13.0-cpu";

/// A wheel we fetch, pinned by version and SHA-256 so pip refuses anything else.
struct Wheel {
    requirement: &'static str,
    sha256: &'static str,
    /// Files to take: (path inside the wheel, path under the libtorch folder).
    files: &'static [(&'static str, &'static str)],
}

/// The CPython 3.11 build of the torch wheel is pinned whatever the local Python is: the
/// shared libraries inside are the same for every Python version.
const WHEELS: &[Wheel] = &[
    Wheel {
        requirement: "torch==2.13.0",
        sha256: "60fcdcb2f3876e21146cb4524ef06397d727ca9ad5f020818547e25075fe3cb7",
        files: &[
            ("torch/lib/libtorch_cpu.so", "lib/libtorch_cpu.so"),
            ("torch/lib/libc10.so", "lib/libc10.so"),
            ("torch/lib/libgomp.so.1", "lib/libgomp.so.1"),
        ],
    },
    Wheel {
        requirement: "nvidia-cuda-runtime==13.0.96",
        sha256: "7f82250d7782aa23b6cfe765ecc7db554bd3c2870c43f3d1821f1d18aebf0548",
        files: &[("nvidia/cu13/lib/libcudart.so.13", "lib/libcudart.so.13")],
    },
    Wheel {
        requirement: "nvidia-cuda-cupti==13.0.85",
        sha256: "4eb01c08e859bf924d222250d2e8f8b8ff6d3db4721288cf35d14252a4d933c8",
        files: &[("nvidia/cu13/lib/libcupti.so.13", "lib/libcupti.so.13")],
    },
];

/// Platform tags of the three wheels (pip does not widen an explicit `--platform`).
const PLATFORMS: &[&str] = &[
    "manylinux_2_28_x86_64",
    "manylinux_2_25_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
];

/// Marker written last into a finished install.
const COMPLETE_MARKER: &str = ".complete";

/// Returns the libtorch folder to build against, assembling it first when needed.
pub fn ensure(root: &Path) -> anyhow::Result<PathBuf> {
    let default_dir = root.join(DEFAULT_DIR);
    if let Some(user_dir) = user_choice(&default_dir) {
        check_user_dir(&user_dir)?;
        return Ok(user_dir);
    }
    if default_dir.join(COMPLETE_MARKER).is_file() {
        return Ok(default_dir);
    }
    assemble(root, &default_dir)?;
    Ok(default_dir)
}

/// `LIBTORCH` as the user set it, or `None` when it is unset or is our own default (cargo's
/// `[env]` table exports the default into every `cargo run`, xtask included).
fn user_choice(default_dir: &Path) -> Option<PathBuf> {
    let value = std::env::var_os("LIBTORCH").filter(|v| !v.is_empty())?;
    let dir = PathBuf::from(value);
    let same = match (dir.canonicalize(), default_dir.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => dir == default_dir,
    };
    (!same).then_some(dir)
}

fn check_user_dir(dir: &Path) -> anyhow::Result<()> {
    let lib = dir.join("lib");
    let has_torch = ["libtorch_cpu.so", "libtorch.so"].iter().any(|name| lib.join(name).exists());
    ensure!(
        has_torch,
        "LIBTORCH={} has no lib/libtorch_cpu.so or lib/libtorch.so; point it at a libtorch \
         {VERSION} folder, or unset it to let `cargo xtask` assemble one",
        dir.display()
    );
    crate::say(&format!("using libtorch from LIBTORCH={}", dir.display()));
    Ok(())
}

fn assemble(root: &Path, final_dir: &Path) -> anyhow::Result<()> {
    check_platform()?;
    let parent = final_dir.parent().context("libtorch folder has no parent")?;
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    remove_stale_staging(parent)?;
    let wheels_dir = root.join(".libtorch/wheels");
    download_wheels(&wheels_dir)?;
    let staging = parent.join(format!(".staging-{}", std::process::id()));
    let result = extract_all(&wheels_dir, &staging).and_then(|()| finish(&staging, final_dir));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result?;
    // The wheels (540 MB) are not needed once extracted; a new bootstrap fetches them again.
    if let Err(error) = fs::remove_dir_all(&wheels_dir) {
        crate::say(&format!("could not remove {}: {error}", wheels_dir.display()));
    }
    crate::say(&format!("libtorch {VERSION} (CPU) is ready in {}", final_dir.display()));
    Ok(())
}

fn check_platform() -> anyhow::Result<()> {
    if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Ok(());
    }
    bail!(
        "assembling libtorch from PyPI wheels is only supported on Linux x86_64; install \
         libtorch {VERSION} yourself and set LIBTORCH to its folder"
    )
}

/// Staging folders of interrupted bootstraps are never mistaken for an install, but they
/// take half a gigabyte each: clear them.
fn remove_stale_staging(parent: &Path) -> anyhow::Result<()> {
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(".staging-") {
            fs::remove_dir_all(entry.path())
                .with_context(|| format!("removing {}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn download_wheels(dest: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(dest)?;
    let requirements = dest.join("requirements.txt");
    let lines: Vec<String> =
        WHEELS.iter().map(|w| format!("{} --hash=sha256:{}\n", w.requirement, w.sha256)).collect();
    fs::write(&requirements, lines.concat())?;
    crate::say("fetching libtorch 2.13.0 wheels from PyPI (about 540 MB, once)");
    let python = crate::venv::system_python()?;
    let status = Command::new(&python)
        .args(["-m", "pip", "download", "--no-deps", "--require-hashes", "--only-binary=:all:"])
        .args(["--python-version", "3.11", "--implementation", "cp"])
        .args(["--abi", "cp311", "--abi", "none"])
        .args(PLATFORMS.iter().flat_map(|platform| ["--platform", platform]))
        .args(["--progress-bar", "on", "-d"])
        .arg(dest)
        .arg("-r")
        .arg(&requirements)
        .status()
        .with_context(|| format!("running {python} -m pip"))?;
    ensure!(
        status.success(),
        "pip could not download the libtorch wheels ({status}); check that PyPI is reachable, \
         or set LIBTORCH to an existing libtorch {VERSION} folder"
    );
    Ok(())
}

fn extract_all(wheels_dir: &Path, staging: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(staging.join("lib"))?;
    for wheel in WHEELS {
        let path = find_wheel(wheels_dir, wheel)?;
        crate::checksum::verify_sha256(&path, wheel.sha256)?;
        crate::say(&format!("extracting {}", path.file_name().unwrap_or_default().display()));
        let mut archive = open_zip(&path)?;
        for (inside, target) in wheel.files {
            copy_entry(&mut archive, &path, inside, &staging.join(target))?;
        }
        if wheel.requirement.starts_with("torch==") {
            extract_prefix(&mut archive, &path, "torch/include/", &staging.join("include"))?;
        }
    }
    Ok(())
}

fn find_wheel(dir: &Path, wheel: &Wheel) -> anyhow::Result<PathBuf> {
    let (name, version) = wheel.requirement.split_once("==").context("bad requirement")?;
    let prefix = format!("{}-{version}-", name.replace('-', "_"));
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let file_name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if file_name.starts_with(&prefix) && file_name.ends_with(".whl") {
            return Ok(path);
        }
    }
    bail!("pip reported success but no {prefix}*.whl is in {}", dir.display())
}

type Wheelfile = zip::ZipArchive<io::BufReader<fs::File>>;

fn open_zip(path: &Path) -> anyhow::Result<Wheelfile> {
    let file = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    zip::ZipArchive::new(io::BufReader::new(file))
        .with_context(|| format!("{} is not a readable wheel (zip)", path.display()))
}

fn copy_entry(
    archive: &mut Wheelfile,
    wheel: &Path,
    inside: &str,
    to: &Path,
) -> anyhow::Result<()> {
    let mut entry =
        archive.by_name(inside).with_context(|| format!("{} has no {inside}", wheel.display()))?;
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut out = fs::File::create(to).with_context(|| format!("creating {}", to.display()))?;
    io::copy(&mut entry, &mut out).with_context(|| format!("extracting {inside}"))?;
    Ok(())
}

/// Extracts every file under `prefix` into `to`, keeping the relative layout.
fn extract_prefix(
    archive: &mut Wheelfile,
    wheel: &Path,
    prefix: &str,
    to: &Path,
) -> anyhow::Result<()> {
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index)?;
        let Some(relative) = entry.enclosed_name() else { continue };
        let Ok(rest) = relative.strip_prefix(prefix) else { continue };
        if entry.is_dir() || rest.as_os_str().is_empty() {
            continue;
        }
        let target = to.join(rest);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut out = fs::File::create(&target)?;
        io::copy(&mut entry, &mut out)
            .with_context(|| format!("extracting {} from {}", rest.display(), wheel.display()))?;
    }
    Ok(())
}

/// Completes the staged folder and moves it into place.
fn finish(staging: &Path, final_dir: &Path) -> anyhow::Result<()> {
    // torch-sys always links `-ltorch`; the wheel's libtorch.so would pull in the CUDA stack.
    std::os::unix::fs::symlink("libtorch_cpu.so", staging.join("lib/libtorch.so"))?;
    fs::write(staging.join("build-version"), VERSION)?;
    ensure!(
        staging.join("include/torch/csrc/api/include/torch/torch.h").is_file(),
        "the torch wheel did not contain the C++ headers expected under torch/include"
    );
    fs::write(staging.join(COMPLETE_MARKER), format!("libtorch {VERSION} cpu\n"))?;
    if final_dir.exists() {
        // An earlier, unfinished install (no marker): replace it.
        fs::remove_dir_all(final_dir)
            .with_context(|| format!("removing incomplete {}", final_dir.display()))?;
    }
    fs::rename(staging, final_dir)
        .with_context(|| format!("moving libtorch into {}", final_dir.display()))?;
    Ok(())
}

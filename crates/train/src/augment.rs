//! Light, seeded augmentation of training batches: random shifts and horizontal mirroring.
//!
//! Random numbers come from a ChaCha generator of their own (not libtorch's global one), so
//! switching augmentation on does not change the dropout masks or the shuffling, and the
//! same seed gives the same moves. The image work is one `gather` over the whole batch.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use crate::{Result, TrainError};

/// The `[train.augment]` section: what happens to each training batch before the forward
/// pass. Off by default; validation and test data are never augmented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AugmentConfig {
    /// Augment training batches at all.
    pub enabled: bool,
    /// Each image moves by a whole number of pixels drawn uniformly from
    /// `-max_shift..=max_shift`, rows and columns independently; pixels moved in are zero.
    pub max_shift: usize,
    /// Mirror half of the images left to right (before shifting).
    pub flip: bool,
}

impl Default for AugmentConfig {
    fn default() -> Self {
        AugmentConfig { enabled: false, max_shift: 2, flip: true }
    }
}

/// What happens to each image of a batch: offsets in pixels (content moves down by `dy` and
/// right by `dx`) and a mirror flag. Each is an int64 tensor of shape `[n]`.
#[derive(Debug)]
pub struct Moves {
    /// Row offset per image.
    pub dy: Tensor,
    /// Column offset per image.
    pub dx: Tensor,
    /// 1 to mirror the image left to right (before the shift), 0 to keep it.
    pub flip: Tensor,
}

/// Draws [`Moves`] from a seeded generator and applies them to training batches.
#[derive(Debug)]
pub struct Augmenter {
    config: AugmentConfig,
    rng: ChaCha8Rng,
}

impl Augmenter {
    /// An augmenter whose draws are fixed by `seed`.
    pub fn new(config: &AugmentConfig, seed: u64) -> Augmenter {
        Augmenter { config: config.clone(), rng: ChaCha8Rng::seed_from_u64(seed) }
    }

    /// `xs` augmented (a new tensor of the same shape), or `xs` itself when disabled.
    /// Draws nothing when disabled.
    pub fn apply(&mut self, xs: &Tensor) -> Result<Tensor> {
        if !self.config.enabled {
            return Ok(xs.shallow_clone());
        }
        let (_, height, width) = geometry(xs)?;
        if self.config.max_shift as i64 >= height.min(width) {
            return Err(TrainError::InvalidConfig {
                field: "train.augment.max_shift",
                found: self.config.max_shift.to_string(),
                expected: "fewer pixels than the image side",
            });
        }
        let n = xs.size()[0];
        let moves = self.draw(n)?;
        shift_and_flip(xs, &moves)
    }

    /// Moves for `n` images: uniform offsets in `-max_shift..=max_shift`, a fair coin for
    /// mirroring (always 0 when `flip` is off).
    pub fn draw(&mut self, n: i64) -> Result<Moves> {
        let count = usize::try_from(n).map_err(|_| TrainError::BadData {
            what: "images to augment",
            found: format!("{n} images"),
            expected: "a count >= 0".to_owned(),
        })?;
        let shift = i64::try_from(self.config.max_shift)
            .ok()
            .filter(|&shift| shift < i64::from(u32::MAX))
            .ok_or_else(|| TrainError::InvalidConfig {
                field: "train.augment.max_shift",
                found: self.config.max_shift.to_string(),
                expected: "fewer pixels than the image side",
            })?;
        let mut raw = vec![0i64; 3 * count];
        self.rng.fill(&mut raw[..]);
        let raw = Tensor::f_from_slice(&raw)?.f_view([3, n])?;
        let offsets = raw.f_narrow(0, 0, 2)?.f_remainder(2 * shift + 1)?.f_sub_scalar(shift)?;
        let flip = if self.config.flip {
            raw.f_select(0, 2)?.f_remainder(2)?
        } else {
            Tensor::f_zeros([n], (Kind::Int64, Device::Cpu))?
        };
        Ok(Moves { dy: offsets.f_select(0, 0)?, dx: offsets.f_select(0, 1)?, flip })
    }
}

/// Applies `moves` to a batch of images: `[n, h * w]` (square images, flattened), `[n, h, w]`
/// or `[n, c, h, w]`; returns the same shape. Pixels shifted in from outside are zero.
pub fn shift_and_flip(xs: &Tensor, moves: &Moves) -> Result<Tensor> {
    let (channels, height, width) = geometry(xs)?;
    let n = xs.size()[0];
    let options = (Kind::Int64, Device::Cpu);
    let rows = Tensor::f_arange(height, options)?.f_view([1, height, 1])?;
    let cols = Tensor::f_arange(width, options)?.f_view([1, 1, width])?;
    let (dy, dx) = (moves.dy.f_view([n, 1, 1])?, moves.dx.f_view([n, 1, 1])?);
    let flip = moves.flip.f_view([n, 1, 1])?;
    // Output pixel (r, c) reads input pixel (r - dy, c - dx) of the (possibly mirrored)
    // image, that is column `c - dx`, or `width - 1 - (c - dx)` when mirrored.
    let src_rows = rows.f_sub(&dy)?;
    let shifted = cols.f_sub(&dx)?;
    let mirrored = shifted.f_neg()?.f_add_scalar(width - 1)?;
    let src_cols = shifted.f_add(&flip.f_mul(&mirrored.f_sub(&shifted)?)?)?;
    let inside = in_range(&src_rows, height)?.f_logical_and(&in_range(&src_cols, width)?)?;
    let index = src_rows
        .f_clamp(0, height - 1)?
        .f_mul_scalar(width)?
        .f_add(&src_cols.f_clamp(0, width - 1)?)?
        .f_view([n, 1, height * width])?;
    let flat = xs.f_reshape([n, channels, height * width])?;
    let index = index.f_expand([n, channels, height * width], false)?;
    let moved = flat.f_gather(2, &index, false)?;
    let mask = inside.f_view([n, 1, height * width])?.f_to_kind(xs.kind())?;
    Ok(moved.f_mul(&mask)?.f_reshape(xs.size())?)
}

/// `0 <= index < size`, elementwise.
fn in_range(index: &Tensor, size: i64) -> Result<Tensor> {
    Ok(index.f_ge(0)?.f_logical_and(&index.f_lt(size)?)?)
}

/// `(channels, height, width)` of a batch of images.
fn geometry(xs: &Tensor) -> Result<(i64, i64, i64)> {
    let shape = xs.size();
    let found = || format!("shape {shape:?}");
    let bad = |expected: &str| TrainError::BadData {
        what: "images to augment",
        found: found(),
        expected: expected.to_owned(),
    };
    match shape[..] {
        [_, features] => {
            let side = (features as f64).sqrt().round() as i64;
            if side * side != features || side == 0 {
                return Err(bad("flattened square images [n, side * side]"));
            }
            Ok((1, side, side))
        }
        [_, height, width] => Ok((1, height, width)),
        [_, channels, height, width] => Ok((channels, height, width)),
        _ => Err(bad("[n, side * side], [n, h, w] or [n, c, h, w]")),
    }
}

//! The two callbacks against scripted validation-loss sequences, checked by hand against
//! Keras 3's `ReduceLROnPlateau` and `EarlyStopping` rules.

use fmnist_train::{
    EarlyStopping, EarlyStoppingConfig, ReduceLrConfig, ReduceLrOnPlateau, Verdict,
};

/// Runs a schedule over `losses` from `lr`; returns the rate used in each epoch.
fn rates(config: ReduceLrConfig, mut lr: f64, losses: &[f64]) -> Vec<f64> {
    let mut schedule = ReduceLrOnPlateau::new(config);
    let mut used = Vec::new();
    for &loss in losses {
        used.push(lr);
        if let Some(new_lr) = schedule.on_epoch_end(loss, lr) {
            lr = new_lr;
        }
    }
    used
}

#[test]
fn rate_halves_after_two_epochs_without_improvement() {
    let losses = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.8];
    let used = rates(ReduceLrConfig::default(), 1e-3, &losses);
    // Epochs 3 and 4 do not improve on 0.9: cut after epoch 4, again after epoch 6.
    assert_eq!(used, [1e-3, 1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4]);
}

#[test]
fn improvements_smaller_than_min_delta_do_not_count() {
    // 0.99995 and 0.99991 beat 1.0 by less than 1e-4: Keras cuts after epoch 3.
    let used = rates(ReduceLrConfig::default(), 1e-3, &[1.0, 0.99995, 0.99991, 0.5]);
    assert_eq!(used, [1e-3, 1e-3, 1e-3, 5e-4]);
}

#[test]
fn rate_never_goes_below_min_lr_and_stops_changing_there() {
    let flat = [1.0; 9];
    let used = rates(ReduceLrConfig::default(), 3e-6, &flat);
    assert_eq!(used, [3e-6, 3e-6, 3e-6, 1.5e-6, 1.5e-6, 1e-6, 1e-6, 1e-6, 1e-6]);
}

#[test]
fn cooldown_suspends_waiting_after_a_cut() {
    let config = ReduceLrConfig { cooldown: 2, ..ReduceLrConfig::default() };
    let used = rates(config, 1.0, &[1.0; 10]);
    // Cut after epoch 3. Keras decrements the cooldown before checking it, so epoch 4 is
    // fully in cooldown, epoch 5 ends it and already counts as the first wait: cut after 6.
    assert_eq!(used, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125]);
}

#[test]
fn disabled_schedule_never_changes_the_rate() {
    let config = ReduceLrConfig { enabled: false, ..ReduceLrConfig::default() };
    assert_eq!(rates(config, 1e-3, &[1.0; 6]), [1e-3; 6]);
}

fn verdicts(config: EarlyStoppingConfig, losses: &[f64]) -> (Vec<Verdict>, EarlyStopping) {
    let mut stopping = EarlyStopping::new(config);
    let verdicts =
        losses.iter().enumerate().map(|(i, &l)| stopping.on_epoch_end(i + 1, l)).collect();
    (verdicts, stopping)
}

#[test]
fn stops_after_patience_epochs_without_improvement() {
    use Verdict::*;
    let losses = [1.0, 0.9, 0.91, 0.92, 0.93, 0.94, 0.95];
    let (got, stopping) = verdicts(EarlyStoppingConfig::default(), &losses);
    assert_eq!(got, [Improved, Improved, Continue, Continue, Continue, Continue, Stop]);
    assert_eq!(stopping.best_epoch(), Some(2));
    assert_eq!(stopping.best_loss(), Some(0.9));
}

#[test]
fn an_improvement_resets_the_wait() {
    use Verdict::*;
    let losses = [1.0, 1.1, 1.2, 1.3, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    let (got, stopping) = verdicts(EarlyStoppingConfig::default(), &losses);
    let expected = [
        Improved, Continue, Continue, Continue, Improved, Continue, Continue, Continue, Continue,
        Stop,
    ];
    assert_eq!(got, expected);
    assert_eq!(stopping.best_epoch(), Some(5));
}

#[test]
fn min_delta_demands_a_larger_improvement() {
    use Verdict::*;
    let config = EarlyStoppingConfig { min_delta: 0.05, patience: 2, ..Default::default() };
    let (got, _) = verdicts(config, &[1.0, 0.96, 0.9, 0.89]);
    assert_eq!(got, [Improved, Continue, Improved, Continue]);
}

#[test]
fn disabled_early_stopping_still_tracks_the_best_epoch() {
    use Verdict::*;
    let config = EarlyStoppingConfig { enabled: false, patience: 1, ..Default::default() };
    let (got, stopping) = verdicts(config, &[0.5, 0.6, 0.7, 0.8]);
    assert_eq!(got, [Improved, Continue, Continue, Continue]);
    assert_eq!(stopping.best_epoch(), Some(1));
}

#[test]
fn nan_loss_never_counts_as_an_improvement_after_the_first_epoch() {
    use Verdict::*;
    let config = EarlyStoppingConfig { patience: 2, ..Default::default() };
    let (got, stopping) = verdicts(config, &[0.5, f64::NAN, f64::NAN]);
    assert_eq!(got, [Improved, Continue, Stop]);
    assert_eq!(stopping.best_epoch(), Some(1));
}

//! Every algorithm, trained on a small synthetic world with known taste,
//! must recommend from the listener's genre and find look-alikes in the
//! item's genre; and the serving contract (exclusions, reasons, bytes) holds.

use std::sync::OnceLock;

use chorus_recsys::synthetic::World;
use chorus_recsys::{Algorithm, EaseTooLarge, FormatError, Interactions, Model, Recency, FORMAT_VERSION};

/// The world, its play matrix, and every algorithm trained on it once for all tests.
struct Trained {
    world: World,
    data: Interactions,
    models: Vec<(Algorithm, Model)>,
}

fn trained() -> &'static Trained {
    static TRAINED: OnceLock<Trained> = OnceLock::new();
    TRAINED.get_or_init(|| {
        let world = World::generate(1000, 400, 30_000, 5, 42);
        let data = world.interactions().unwrap();
        let models = algorithms().into_iter().map(|a| (a.clone(), Model::train(&data, &a).unwrap())).collect();
        Trained { world, data, models }
    })
}

fn algorithms() -> Vec<Algorithm> {
    vec![
        Algorithm::ItemKnn { k: 50, shrink: 10.0 },
        Algorithm::Rp3Beta { alpha: 0.6, beta: 0.4, k: 50 },
        Algorithm::Ease { lambda: 20.0, k: 50, max_items: 1000 },
        Algorithm::Als { factors: 16, reg: 1.0, alpha: 10.0, iterations: 10 },
        Algorithm::Blend {
            a: Box::new(Algorithm::Rp3Beta { alpha: 0.6, beta: 0.4, k: 50 }),
            b: Box::new(Algorithm::Als { factors: 16, reg: 1.0, alpha: 10.0, iterations: 10 }),
            weight: 0.7,
        },
    ]
}

/// A listener's history as the service would pass it: recency-weighted.
fn history(data: &Interactions, listener: u32) -> Vec<(u32, f32)> {
    let (items, _) = data.user_items(listener);
    let times = data.user_times(listener);
    let now = times.last().copied().unwrap_or(0);
    items.iter().copied().zip(Recency::Plays { half_life: 20.0 }.weights(times, now)).collect()
}

#[test]
fn for_you_picks_come_mostly_from_the_listeners_genre() {
    let Trained { world, data, models } = trained();
    for (algorithm, model) in models {
        let (mut home, mut total) = (0, 0);
        for listener in 0..world.listeners() {
            for pick in model.recommend(&history(data, listener), 10, &|_| false) {
                total += 1;
                home += usize::from(world.track_cluster(pick.item) == world.listener_cluster(listener));
            }
        }
        let share = home as f64 / total as f64;
        assert_eq!(total, 10 * world.listeners() as usize, "{algorithm}: every listener gets 10");
        // Popularity alone would score about 1/5 here. EASE is lowest (about
        // 0.84): its negative weights can sink unplayed tracks of the genre.
        assert!(share > 0.75, "{algorithm}: only {share:.2} of picks are from the listener's genre");
    }
}

#[test]
fn similar_tracks_are_mostly_from_the_same_genre() {
    let Trained { world, models, .. } = trained();
    for (algorithm, model) in models {
        let (mut same, mut total) = (0, 0);
        for track in (0..world.tracks()).step_by(7) {
            let similar = model.similar(track, 10);
            assert!(similar.iter().all(|&(t, _)| t != track), "{algorithm}: a track is not similar to itself");
            assert!(similar.windows(2).all(|w| w[0].1 >= w[1].1), "{algorithm}: strongest first");
            for (other, _) in similar {
                total += 1;
                same += usize::from(world.track_cluster(other) == world.track_cluster(track));
            }
        }
        let share = same as f64 / total.max(1) as f64;
        assert!(total > 500, "{algorithm}: similar() answered only {total} items");
        assert!(share > 0.9, "{algorithm}: only {share:.2} of similar tracks share the genre");
    }
}

#[test]
fn exclusions_and_history_are_honoured_and_reasons_come_from_the_history() {
    let Trained { data, models, .. } = trained();
    for (algorithm, model) in models {
        let listener = 3;
        let history = history(data, listener);
        let first = model.recommend(&history, 10, &|_| false);
        let banned: Vec<u32> = first.iter().take(5).map(|s| s.item).collect();
        let second = model.recommend(&history, 10, &|i| banned.contains(&i));
        assert_eq!(second.len(), 10, "{algorithm}");
        for pick in &second {
            assert!(!banned.contains(&pick.item), "{algorithm}: excluded {} was recommended", pick.item);
            assert!(history.iter().all(|&(h, _)| h != pick.item), "{algorithm}: a history item was recommended");
        }
        assert!(first.windows(2).all(|w| w[0].score >= w[1].score), "{algorithm}: best first");
        let explained = first.iter().filter_map(|s| s.because).collect::<Vec<_>>();
        assert!(explained.len() >= 5, "{algorithm}: only {} picks have a reason", explained.len());
        assert!(explained.iter().all(|b| history.iter().any(|&(h, _)| h == *b)), "{algorithm}: reason outside history");
    }
}

#[test]
fn an_empty_history_gets_the_charts_minus_exclusions() {
    let data = &trained().data;
    let model = Model::train(data, &Algorithm::default()).unwrap();
    let popular = model.popular(5, &|_| false);
    let picks = model.recommend(&[], 5, &|i| i == popular[0].item);
    assert_eq!(
        picks.iter().map(|s| s.item).collect::<Vec<_>>()[..4],
        popular[1..].iter().map(|s| s.item).collect::<Vec<_>>()[..]
    );
    assert!(picks.iter().all(|s| s.because.is_none()));
    assert!(popular.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn model_bytes_round_trip_and_other_versions_are_refused() {
    let Trained { data, models, .. } = trained();
    for (algorithm, model) in models {
        let bytes = model.to_bytes().unwrap();
        assert_eq!(bytes[0], FORMAT_VERSION);
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.algorithm(), algorithm);
        let history = history(data, 7);
        assert_eq!(back.recommend(&history, 10, &|_| false), model.recommend(&history, 10, &|_| false), "{algorithm}");
        assert_eq!(back.similar(11, 10), model.similar(11, 10), "{algorithm}");
        let mut other = bytes.clone();
        other[0] = FORMAT_VERSION.wrapping_add(1);
        assert!(matches!(Model::from_bytes(&other), Err(FormatError::UnsupportedVersion { .. })));
        assert!(matches!(Model::from_bytes(&bytes[..bytes.len() / 2]), Err(FormatError::Decode(_))));
    }
    assert!(matches!(Model::from_bytes(&[]), Err(FormatError::Empty)));
}

#[test]
fn ease_refuses_more_items_than_its_limit() {
    let err = Model::train(&trained().data, &Algorithm::Ease { lambda: 100.0, k: 50, max_items: 100 }).unwrap_err();
    let too_large = err.downcast_ref::<EaseTooLarge>().expect("a typed refusal");
    assert_eq!(too_large.limit, 100);
    assert!(too_large.items > 100);
}

#[test]
fn disliked_tracks_steer_picks_away_from_their_genre() {
    let Trained { world, models, .. } = trained();
    let genre = |g: u32| (0..world.tracks()).filter(move |&t| world.track_cluster(t) == g);
    // A listener who liked ten tracks of genre 0 and ten of genre 1…
    let liked: Vec<(u32, f32)> = genre(0).take(10).chain(genre(1).take(10)).map(|t| (t, 1.0)).collect();
    // …and then skipped twenty more of genre 1.
    let mut with_dislikes = liked.clone();
    with_dislikes.extend(genre(1).skip(10).take(20).map(|t| (t, -1.0)));
    for (algorithm, model) in models {
        let from_1 = |history: &[(u32, f32)]| {
            model.recommend(history, 20, &|_| false).iter().filter(|s| world.track_cluster(s.item) == 1).count()
        };
        let (before, after) = (from_1(&liked), from_1(&with_dislikes));
        assert!(after < before, "{algorithm}: {before} picks from the skipped genre before, {after} after");
    }
}

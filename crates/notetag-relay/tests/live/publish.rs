//! Publishing against a relay that asks for NIP-42 authentication and refuses
//! every label event the first time: all of them end up stored, each once.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use crate::common::{corpus_texts, keys, notes, now, start_relay, start_relay_with, target, wait_for};
use nostr_relay_builder::prelude::{
    BoxedFuture, Event as NEvent, EventId, Kind, PolicyResult, RelayBuilderNip42, RelayBuilderNip42Mode, WritePolicy,
};
use notetag::Classifier;
use notetag_relay::{Labeler, LabelerConfig};

#[derive(Debug, Default)]
struct RefuseFirst {
    seen: Mutex<HashSet<EventId>>,
}

impl WritePolicy for RefuseFirst {
    fn admit_event<'a>(&'a self, event: &'a NEvent, _addr: &'a SocketAddr) -> BoxedFuture<'a, PolicyResult> {
        Box::pin(async move {
            if event.kind == Kind::from(1985u16) && self.seen.lock().unwrap().insert(event.id) {
                PolicyResult::Reject("busy, try again".into())
            } else {
                PolicyResult::Accept
            }
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_and_auth_required_labels_are_retried_until_stored() {
    let from = start_relay(10_000).await;
    let to = start_relay_with(10_000, |b| {
        b.nip42(RelayBuilderNip42 {
            mode: RelayBuilderNip42Mode::Write,
        })
        .write_policy(RefuseFirst::default())
    })
    .await;
    let (author, labeler) = (keys(21), keys(3));
    let backlog = notes(&author, &corpus_texts(60), now() - 1_000);
    from.store(&backlog).await;
    let clf = Classifier::default_model().unwrap();
    let want: HashSet<String> = backlog
        .iter()
        .filter(|n| clf.predict(&n.content).labels().next().is_some())
        .map(|n| n.id.clone())
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let mut cfg = LabelerConfig::new(
        vec![from.url.clone()],
        vec![to.url.clone()],
        labeler,
        dir.path().join("s.json"),
    );
    cfg.since = Some(0);
    let labeler = Labeler::new(cfg, clf).unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(labeler.run(async move {
        let _ = rx.await;
    }));
    wait_for(Duration::from_secs(120), "every label stored", || async {
        to.count_of_kind(1985).await >= want.len()
    })
    .await;
    let _ = stop.send(());
    let summary = tokio::time::timeout(Duration::from_secs(60), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let stored: Vec<String> = to.events_of_kind(1985).await.iter().map(target).collect();
    assert_eq!(stored.len(), want.len());
    assert_eq!(stored.into_iter().collect::<HashSet<_>>(), want);
    let c = summary.counters;
    // Each label was refused once by the policy, the first ones also for want of AUTH.
    assert!(c.refused > want.len() as u64, "{c:?}");
    assert_eq!((c.given_up, summary.pending), (0, 0), "{c:?}");
}

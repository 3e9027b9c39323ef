//! Attachments: written with their ticket and message, bytes stored once per hash, a
//! note's files only for readers who may see notes.

use crate::support::{agent, at, customer, new_ticket, ticket, write_one};
use kefu_domain::entities::ActorRef;
use kefu_domain::enums::MessageKind;
use kefu_store::Db;
use kefu_store::attachments::{NewAttachment, attachment_with_bytes, attachments_of, insert_attachments};
use kefu_store::timeline::insert_message;

backend_tests!(attachments_round_trip_share_their_bytes_and_notes_stay_internal);

async fn attachments_round_trip_share_their_bytes_and_notes_stay_internal(db: Db) {
    let cust = customer(&db, "Files", None).await;
    let agent_id = agent(&db, "files@example.com").await;
    let t = ticket(&db, new_ticket(cust.id), at(0)).await;
    let other = ticket(&db, new_ticket(cust.id), at(0)).await;
    let photo: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();

    let (request, note, reply) = write_one(&db, {
        let photo = photo.clone();
        move |tx| {
            Box::pin(async move {
                let customer = ActorRef::customer(cust.id);
                let request = insert_attachments(
                    tx.exec(),
                    t.id,
                    None,
                    customer,
                    &[NewAttachment {
                        file_name: "照片.jpg",
                        content_type: "image/jpeg",
                        sha256: "same-hash",
                        bytes: &photo,
                    }],
                    at(1),
                )
                .await?;
                let note_message = insert_message(tx.exec(), t.id, MessageKind::Note, ActorRef::agent(agent_id), "internal", at(2)).await?;
                let note = insert_attachments(
                    tx.exec(),
                    t.id,
                    Some(note_message.id),
                    ActorRef::agent(agent_id),
                    &[NewAttachment {
                        file_name: "warranty.pdf",
                        content_type: "application/pdf",
                        sha256: "pdf-hash",
                        bytes: b"%PDF-1.4",
                    }],
                    at(2),
                )
                .await?;
                let reply_message =
                    insert_message(tx.exec(), t.id, MessageKind::Reply, ActorRef::agent(agent_id), "see photo", at(3)).await?;
                // The same picture again: a second description, its bytes stored once.
                let reply = insert_attachments(
                    tx.exec(),
                    t.id,
                    Some(reply_message.id),
                    ActorRef::agent(agent_id),
                    &[NewAttachment {
                        file_name: "again.jpg",
                        content_type: "image/jpeg",
                        sha256: "same-hash",
                        bytes: &photo,
                    }],
                    at(3),
                )
                .await?;
                Ok((request, note, reply))
            })
        }
    })
    .await
    .unwrap();
    assert_eq!(request[0].message_id, None);
    assert_eq!((request[0].file_name.as_str(), request[0].size), ("照片.jpg", 70_000));

    let for_agents = attachments_of(db.read(), t.id, true).await.unwrap();
    assert_eq!(for_agents, [request[0].clone(), note[0].clone(), reply[0].clone()]);
    let for_customers = attachments_of(db.read(), t.id, false).await.unwrap();
    assert_eq!(for_customers, [request[0].clone(), reply[0].clone()]);
    assert!(attachments_of(db.read(), other.id, true).await.unwrap().is_empty());

    let (info, bytes) = attachment_with_bytes(db.read(), t.id, reply[0].id, false).await.unwrap().unwrap();
    assert_eq!((info, bytes), (reply[0].clone(), photo));
    assert!(attachment_with_bytes(db.read(), t.id, note[0].id, false).await.unwrap().is_none());
    assert!(attachment_with_bytes(db.read(), t.id, note[0].id, true).await.unwrap().is_some());
    assert!(
        attachment_with_bytes(db.read(), other.id, reply[0].id, true)
            .await
            .unwrap()
            .is_none()
    );
}

#pragma once

// Webhook bodies in the shape of the examples of Meta's "messages webhook reference"
// (developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages):
// the same structure, field names and example ids (WABA 102290129340398, phone number id
// 106540352242922, customer 16505551234 "Sheena Nelson").

namespace switchboard::gateway_whatsapp::test_support {

inline constexpr const char* kTextMessage = R"({
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "102290129340398",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "15550783881",
              "phone_number_id": "106540352242922"
            },
            "contacts": [
              {
                "profile": {
                  "name": "Sheena Nelson"
                },
                "wa_id": "16505551234"
              }
            ],
            "messages": [
              {
                "from": "16505551234",
                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                "timestamp": "1749416383",
                "type": "text",
                "text": {
                  "body": "Does it come in another color?"
                }
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
})";

inline constexpr const char* kImageMessage = R"({
  "object": "whatsapp_business_account",
  "entry": [{
    "id": "102290129340398",
    "changes": [{
      "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
        "messages": [{
          "from": "16505551234",
          "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUM5RkU4QTdGNjE1NjE5RjhFQwA=",
          "timestamp": "1750090702",
          "type": "image",
          "image": {
            "caption": "Is this the right part?",
            "mime_type": "image/jpeg",
            "sha256": "rUNX/pm0D6D2Kk5n3+r3G3YMWbmw8O3VLzXA9HIh2Ns=",
            "id": "1003383421387256",
            "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256"
          }
        }]
      },
      "field": "messages"
    }]
  }]
})";

// One POST carrying several messages of different types (Meta batches under load).
inline constexpr const char* kMixedMessages = R"({
  "object": "whatsapp_business_account",
  "entry": [{
    "id": "102290129340398",
    "changes": [{
      "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"},
                     {"profile": {"name": "Pablo Morales"}, "wa_id": "16505556789"}],
        "messages": [
          {"from": "16505551234", "id": "wamid.audio1", "timestamp": "1750090703", "type": "audio",
           "audio": {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": "2065328800622093", "voice": true}},
          {"from": "16505556789", "id": "wamid.doc1", "timestamp": "1750090704", "type": "document",
           "document": {"caption": "my invoice", "filename": "invoice-0042.pdf", "mime_type": "application/pdf",
                        "sha256": "y", "id": "1155279416133426"}},
          {"from": "16505551234", "id": "wamid.sticker1", "timestamp": "1750090705", "type": "sticker",
           "sticker": {"mime_type": "image/webp", "sha256": "z", "id": "1139211117954112", "animated": false}},
          {"from": "16505551234", "id": "wamid.loc1", "timestamp": "1750090706", "type": "location",
           "location": {"address": "1 Hacker Way, Menlo Park, CA 94025", "latitude": 37.483307,
                        "longitude": -122.148981, "name": "Main Office"}},
          {"from": "16505551234", "id": "wamid.contacts1", "timestamp": "1750090707", "type": "contacts",
           "contacts": [{"name": {"formatted_name": "Barbara J. Johnson", "first_name": "Barbara"},
                         "phones": [{"phone": "+1 (940) 555-1234", "type": "HOME", "wa_id": "19405551234"}]}]},
          {"from": "16505551234", "id": "wamid.interactive1", "timestamp": "1750090708", "type": "interactive",
           "context": {"from": "15550783881", "id": "wamid.ourbuttons"},
           "interactive": {"type": "button_reply", "button_reply": {"id": "change-button", "title": "Change"}}},
          {"from": "16505551234", "id": "wamid.button1", "timestamp": "1750090709", "type": "button",
           "button": {"payload": "Unsubscribe from Promos", "text": "Unsubscribe from Promos"}},
          {"from": "16505551234", "id": "wamid.reaction1", "timestamp": "1750090710", "type": "reaction",
           "reaction": {"message_id": "wamid.oursent", "emoji": "\ud83d\udc4d"}},
          {"from": "16505551234", "id": "wamid.video1", "timestamp": "1750090711", "type": "video",
           "video": {"mime_type": "video/mp4", "sha256": "v", "id": "1526852431206835"}},
          {"from": "16505551234", "id": "wamid.unsupported1", "timestamp": "1750090712", "type": "unsupported",
           "errors": [{"code": 131051, "title": "Message type unknown", "message": "Message type unknown",
                       "error_data": {"details": "Message type is currently not supported."}}]}
        ]
      },
      "field": "messages"
    }]
  }]
})";

inline constexpr const char* kDeliveredStatus = R"({
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "102290129340398",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "15550783881",
              "phone_number_id": "106540352242922"
            },
            "statuses": [
              {
                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA",
                "status": "delivered",
                "timestamp": "1750263773",
                "recipient_id": "16505551234",
                "conversation": {
                  "id": "6ceb9d929c4a6f7e8ba3f6b5b8d7a2c1",
                  "origin": {
                    "type": "service"
                  }
                },
                "pricing": {
                  "billable": false,
                  "pricing_model": "PMP",
                  "category": "service",
                  "type": "free_customer_service"
                }
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
})";

inline constexpr const char* kFailedStatus = R"({
  "object": "whatsapp_business_account",
  "entry": [{
    "id": "102290129340398",
    "changes": [{
      "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "statuses": [{
          "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGNDc3MUE4NkE2RjA4OTVGQjgA",
          "status": "failed",
          "timestamp": "1750263800",
          "recipient_id": "16505551234",
          "errors": [{
            "code": 131026,
            "title": "Message undeliverable",
            "message": "Message undeliverable",
            "error_data": {"details": "Message Undeliverable."},
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
          }]
        }]
      },
      "field": "messages"
    }]
  }]
})";

// Not a "messages" change: acknowledged and ignored.
inline constexpr const char* kAccountUpdate = R"({
  "object": "whatsapp_business_account",
  "entry": [{
    "id": "102290129340398",
    "time": 1750263900,
    "changes": [{
      "value": {"phone_number": "15550783881", "event": "VERIFIED_ACCOUNT"},
      "field": "account_update"
    }]
  }]
})";

}  // namespace switchboard::gateway_whatsapp::test_support

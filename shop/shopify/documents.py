"""The GraphQL documents Herstel sends to the Shopify Admin API (checked against its docs)."""

from __future__ import annotations

_MONEY = "shopMoney { amount currencyCode }"

_ORDER_FIELDS = f"""
fragment HerstelOrderFields on Order {{
  id
  name
  email
  createdAt
  processedAt
  currencyCode
  sourceName
  tags
  note
  customer {{ id numberOfOrders tags }}
  shippingAddress {{
    firstName lastName company address1 address2 city zip provinceCode countryCodeV2 phone
  }}
  totalShippingPriceSet {{ {_MONEY} }}
  lineItems(first: 50) {{
    nodes {{ id sku name quantity variant {{ id }} originalUnitPriceSet {{ {_MONEY} }} }}
  }}
  fulfillments(first: 10) {{ createdAt trackingInfo(first: 5) {{ company number }} }}
  fulfillmentOrders(first: 5) {{ nodes {{ deliveryMethod {{ maxDeliveryDateTime }} }} }}
  refunds(first: 50) {{ id note createdAt totalRefundedSet {{ {_MONEY} }} }}
  transactions(first: 20) {{ id kind status gateway amountSet {{ {_MONEY} }} }}
}}
"""

ORDERS = (
    """
query HerstelOrders($query: String!, $first: Int!) {
  orders(first: $first, query: $query, sortKey: PROCESSED_AT, reverse: true) {
    nodes { ...HerstelOrderFields }
  }
}
"""
    + _ORDER_FIELDS
)

_GIFT_CARD_FIELDS = "id note expiresOn lastCharacters initialValue { amount currencyCode }"

GIFT_CARD_CREATE = f"""
mutation HerstelGiftCardCreate($input: GiftCardCreateInput!) {{
  giftCardCreate(input: $input) {{
    giftCard {{ {_GIFT_CARD_FIELDS} }}
    giftCardCode
    userErrors {{ field code message }}
  }}
}}
"""

GIFT_CARDS = f"""
query HerstelGiftCards($query: String!) {{
  giftCards(first: 1, query: $query) {{ nodes {{ {_GIFT_CARD_FIELDS} }} }}
}}
"""

REFUND_CREATE = f"""
mutation HerstelRefundCreate($input: RefundInput!, $idempotencyKey: String!) {{
  refundCreate(input: $input) @idempotent(key: $idempotencyKey) {{
    refund {{ id note createdAt totalRefundedSet {{ {_MONEY} }} }}
    userErrors {{ field message }}
  }}
}}
"""

_DRAFT_FIELDS = "id status order { id name }"

DRAFT_ORDERS = f"""
query HerstelDraftOrders($query: String!) {{
  draftOrders(first: 1, query: $query) {{ nodes {{ {_DRAFT_FIELDS} }} }}
}}
"""

DRAFT_ORDER_CREATE = f"""
mutation HerstelDraftOrderCreate($input: DraftOrderInput!) {{
  draftOrderCreate(input: $input) {{
    draftOrder {{ {_DRAFT_FIELDS} }}
    userErrors {{ field message }}
  }}
}}
"""

DRAFT_ORDER_COMPLETE = f"""
mutation HerstelDraftOrderComplete($id: ID!) {{
  draftOrderComplete(id: $id) {{
    draftOrder {{ {_DRAFT_FIELDS} }}
    userErrors {{ field message }}
  }}
}}
"""

TAGS_ADD = """
mutation HerstelTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}
"""

ORDER_NOTE = """
mutation HerstelOrderNote($input: OrderInput!) {
  orderUpdate(input: $input) { order { id note } userErrors { field message } }
}
"""

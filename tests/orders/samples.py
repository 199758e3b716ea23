"""Webshop payloads in the shapes Shopify and WooCommerce document for their webhook
topics and REST resources (ids and field names as in their reference samples),
with Swedish and Norwegian amounts that add up the way the shops compute them."""

import copy

SHOPIFY_ORDER_ID = 450789469


def shopify_sample_order(**overrides) -> dict:
    """Shopify's order resource (`orders/create`, `orders/paid`, ...): a paid order
    with prices including 25 % VAT, a shipping line and a weight."""
    order = {
        "id": SHOPIFY_ORDER_ID,
        "admin_graphql_api_id": f"gid://shopify/Order/{SHOPIFY_ORDER_ID}",
        "name": "#1001",
        "order_number": 1001,
        "email": "bob.norman@mail.example.com",
        "phone": "+46701234567",
        "contact_email": "bob.norman@mail.example.com",
        "created_at": "2026-11-20T10:15:00-05:00",
        "updated_at": "2026-11-20T10:15:00-05:00",
        "processed_at": "2026-11-20T10:15:00-05:00",
        "cancelled_at": None,
        "cancel_reason": None,
        "closed_at": None,
        "currency": "SEK",
        "presentment_currency": "SEK",
        "financial_status": "paid",
        "fulfillment_status": None,
        "confirmed": True,
        "test": False,
        "taxes_included": True,
        "total_price": "1147.00",
        "subtotal_price": "1098.00",
        "total_line_items_price": "1098.00",
        "total_tax": "229.40",
        "total_discounts": "0.00",
        "total_outstanding": "0.00",
        "total_weight": 1800,
        "note": "Leave at the door",
        "gateway": "shopify_payments",
        "payment_gateway_names": ["shopify_payments"],
        "discount_codes": [],
        "customer": {
            "id": 207119551,
            "email": "bob.norman@mail.example.com",
            "first_name": "Bob",
            "last_name": "Norman",
            "phone": None,
            "currency": "SEK",
        },
        "billing_address": {
            "first_name": "Bob",
            "last_name": "Norman",
            "address1": "Storgatan 1",
            "city": "Stockholm",
            "zip": "111 22",
            "country": "Sweden",
            "country_code": "SE",
        },
        "shipping_address": {
            "first_name": "Bob",
            "last_name": "Norman",
            "name": "Bob Norman",
            "address1": "Storgatan 1",
            "address2": "",
            "city": "Stockholm",
            "zip": "111 22",
            "province": None,
            "country": "Sweden",
            "country_code": "SE",
            "phone": "+46701234567",
        },
        "line_items": [
            {
                "id": 466157049,
                "variant_id": 39072856,
                "product_id": 632910392,
                "title": "IPod Nano - 8gb",
                "name": "IPod Nano - 8gb - green",
                "sku": "IPOD2008GREEN",
                "quantity": 1,
                "price": "699.00",
                "grams": 1000,
                "requires_shipping": True,
                "taxable": True,
                "total_discount": "0.00",
                "tax_lines": [{"title": "VAT", "price": "139.80", "rate": 0.25}],
            },
            {
                "id": 518995019,
                "variant_id": 49148385,
                "product_id": 632910392,
                "title": "IPod Nano - 8gb",
                "name": "IPod Nano - 8gb - red",
                "sku": "IPOD2008RED",
                "quantity": 1,
                "price": "399.00",
                "grams": 800,
                "requires_shipping": True,
                "taxable": True,
                "total_discount": "0.00",
                "tax_lines": [{"title": "VAT", "price": "79.80", "rate": 0.25}],
            },
        ],
        "shipping_lines": [
            {
                "id": 369256396,
                "title": "PostNord MyPack Home",
                "code": "MyPack Home",
                "source": "shopify",
                "price": "49.00",
                "discounted_price": "49.00",
                "tax_lines": [{"title": "VAT", "price": "9.80", "rate": 0.25}],
            }
        ],
        "fulfillments": [],
        "refunds": [],
    }
    order.update(copy.deepcopy(overrides))
    return order


def shopify_sample_refund(**overrides) -> dict:
    """Shopify's refund resource (`refunds/create`): one returned item."""
    refund = {
        "id": 509562969,
        "order_id": SHOPIFY_ORDER_ID,
        "created_at": "2026-11-25T09:00:00-05:00",
        "processed_at": "2026-11-25T09:00:00-05:00",
        "note": "it broke during shipping",
        "restock": True,
        "user_id": 548380009,
        "refund_line_items": [
            {
                "id": 104689539,
                "line_item_id": 518995019,
                "quantity": 1,
                "restock_type": "return",
                "subtotal": 399.0,
                "total_tax": 79.8,
            }
        ],
        "transactions": [
            {
                "id": 179259969,
                "order_id": SHOPIFY_ORDER_ID,
                "kind": "refund",
                "gateway": "shopify_payments",
                "status": "success",
                "amount": "399.00",
                "currency": "SEK",
                "processed_at": "2026-11-25T09:00:00-05:00",
                "parent_id": 801038806,
            }
        ],
        "order_adjustments": [],
    }
    refund.update(copy.deepcopy(overrides))
    return refund


def shopify_sample_fulfillment(**overrides) -> dict:
    """Shopify's fulfillment resource (`fulfillments/create`)."""
    fulfillment = {
        "id": 255858046,
        "order_id": SHOPIFY_ORDER_ID,
        "status": "success",
        "created_at": "2026-11-21T08:00:00-05:00",
        "service": "manual",
        "shipment_status": None,
        "tracking_company": "PostNord",
        "tracking_number": "00370712345678901234",
        "tracking_numbers": ["00370712345678901234"],
        "tracking_url": None,
        "tracking_urls": [],
        "line_items": [{"id": 466157049, "quantity": 1}],
    }
    fulfillment.update(copy.deepcopy(overrides))
    return fulfillment


def woo_sample_order(**overrides) -> dict:
    """WooCommerce's REST v3 order resource (`order.created` / `order.updated`):
    paid by card, one coupon, flat-rate shipping, 25 % VAT (line totals exclude
    tax, as WooCommerce always stores them)."""
    order = {
        "id": 727,
        "parent_id": 0,
        "number": "727",
        "order_key": "wc_order_58d2d042d1d",
        "created_via": "checkout",
        "version": "9.4.0",
        "status": "processing",
        "currency": "NOK",
        "date_created": "2026-11-20T10:00:00",
        "date_created_gmt": "2026-11-20T09:00:00",
        "date_modified": "2026-11-20T10:00:00",
        "date_modified_gmt": "2026-11-20T09:00:00",
        "discount_total": "20.00",
        "discount_tax": "5.00",
        "shipping_total": "80.00",
        "shipping_tax": "20.00",
        "cart_tax": "95.00",
        "total": "575.00",
        "total_tax": "115.00",
        "prices_include_tax": False,
        "customer_id": 26,
        "customer_note": "",
        "billing": {
            "first_name": "Ole",
            "last_name": "Hansen",
            "address_1": "Karl Johans gate 1",
            "city": "Oslo",
            "postcode": "0154",
            "country": "NO",
            "email": "ole.hansen@example.com",
            "phone": "+4791234567",
        },
        "shipping": {
            "first_name": "Ole",
            "last_name": "Hansen",
            "address_1": "Karl Johans gate 1",
            "city": "Oslo",
            "postcode": "0154",
            "country": "NO",
        },
        "payment_method": "stripe",
        "payment_method_title": "Credit Card (Stripe)",
        "transaction_id": "ch_3Q1",
        "date_paid": "2026-11-20T10:00:05",
        "date_paid_gmt": "2026-11-20T09:00:05",
        "date_completed": None,
        "date_completed_gmt": None,
        "line_items": [
            {
                "id": 315,
                "name": "Woo Single #1",
                "product_id": 93,
                "variation_id": 0,
                "quantity": 2,
                "tax_class": "",
                "subtotal": "200.00",
                "subtotal_tax": "50.00",
                "total": "190.00",
                "total_tax": "47.50",
                "taxes": [{"id": 75, "total": "47.5", "subtotal": "50"}],
                "sku": "WOO-1",
                "price": 95,
            },
            {
                "id": 316,
                "name": "Ship Your Idea",
                "product_id": 22,
                "variation_id": 23,
                "quantity": 1,
                "tax_class": "",
                "subtotal": "200.00",
                "subtotal_tax": "50.00",
                "total": "190.00",
                "total_tax": "47.50",
                "taxes": [{"id": 75, "total": "47.5", "subtotal": "50"}],
                "sku": "SYI",
                "price": 190,
            },
        ],
        "tax_lines": [
            {
                "id": 318,
                "rate_code": "NO-MVA-1",
                "rate_id": 75,
                "label": "MVA",
                "compound": False,
                "tax_total": "95.00",
                "shipping_tax_total": "20.00",
                "rate_percent": 25,
            }
        ],
        "shipping_lines": [
            {
                "id": 317,
                "method_title": "Flat Rate",
                "method_id": "flat_rate",
                "total": "80.00",
                "total_tax": "20.00",
                "taxes": [{"id": 75, "total": "20", "subtotal": ""}],
            }
        ],
        "fee_lines": [],
        "coupon_lines": [{"id": 319, "code": "VELKOMMEN", "discount": "20.00"}],
        "refunds": [],
        "meta_data": [],
    }
    order.update(copy.deepcopy(overrides))
    return order

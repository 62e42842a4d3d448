"""Sentence templates for synthetic customer emails, per intent and shared across intents.

A template is text with ``{slot}`` fields. The generator fills each slot with plain text or a PII value
(see ``generator._SLOTS`` for the slot vocabulary). Templates are compiled once at import into
(literal, slot) pairs, so rendering never parses or searches strings.

Intents share wording on purpose (bills, refunds, direct debits, closing and cancelling, moving house
appear in several intents) so a classifier has real work to do. A template containing a line break or
a ``*_block`` slot is a *block*: it always ends its paragraph.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from .labels import INTENTS


@dataclass(frozen=True, slots=True)
class Template:
    parts: tuple[tuple[str, str | None], ...]  # (literal text, slot name or None)
    block: bool  # ends its paragraph (has a line break or a block slot)
    slots: frozenset[str]


def compile_template(text: str) -> Template:
    parts: list[tuple[str, str | None]] = []
    for literal, field, spec, conv in string.Formatter().parse(text):
        if spec or conv:
            raise ValueError(f"template fields take no format spec: {text!r}")
        parts.append((literal, field or None))
    block = "\n" in text or any(slot is not None and slot.endswith("_block") for _, slot in parts)
    slots = frozenset(slot for _, slot in parts if slot is not None)
    return Template(tuple(parts), block, slots)


def _c(texts: tuple[str, ...] | list[str]) -> tuple[Template, ...]:
    return tuple(compile_template(t) for t in texts)


# --- per-intent sentences --------------------------------------------------------------------------------

_INTENT_TEXT: dict[str, dict[str, tuple[str, ...]]] = {
    "change_of_address": {
        "subjects": (
            "Change of address",
            "Moving house",
            "New address",
            "Change of address - {ref}",
            "Update my address please",
            "Moving home on {move_date}",
            "Change of address for {name}",
            "Address update - account {ref}",
            "We're moving",
            "Home move",
        ),
        "openers": (
            "I'm writing to let you know that I am moving house on {move_date}.",
            "We are moving out of {old_address} on {move_date} and need to update our account.",
            "Please could you update the address on my account, as I have recently moved.",
            "Just a quick note to say we've moved house and I need to change the address you have for me.",
            "I moved to a new flat last month and I don't think I've told you yet.",
            "I would like to change the address on my account {ref}.",
            "My {rel} and I are moving to {town} on {move_date}.",
            "From {move_date} I will no longer be living at {old_address}.",
            "I've bought a house and I'm moving out of my rented flat at the end of {month}.",
        ),
        "details": (
            "My new address is {new_address}.",
            "The new address is:{new_address_block}",
            "Our old address was {old_address} and the new one is {new_address}.",
            "Please send all future letters and bills to {new_address}.",
            "The final meter reading at the old property was 04512 on {date}.",
            "My {rel}, {partner}, is staying on at the old place until the end of {month}, so please leave "
            "that account open in their name.",
            "I have also changed my mobile number, the new one is {alt_phone}.",
            "The postcode for the new place is {postcode}, in case your system asks for it.",
            "We get the keys on {move_date} so the new account should start from then.",
            "I don't want to pay for energy used by the new tenants after {move_date}.",
        ),
        "asks": (
            "Could you confirm once this has been updated?",
            "Please can you update your records and let me know if you need anything else from me.",
            "Can you also make sure the final bill for the old address goes to the new one?",
            "Let me know if I need to do anything else, e.g. send a meter reading on the day.",
            "I'd be grateful if you could move my direct debit across to the new address too.",
            "Can you tell me whether my current tariff will move with me?",
        ),
    },
    "billing_query": {
        "subjects": (
            "Query about my bill",
            "Question about my latest bill",
            "Bill much higher than usual",
            "Billing query - {ref}",
            "Why has my direct debit gone up?",
            "Bill for {month}",
            "Estimated bill",
            "Invoice {invoice} query",
            "Re: Your latest statement",
        ),
        "openers": (
            "I have just received my bill for {month} and it is a lot higher than I expected.",
            "Could someone please explain my latest statement?",
            "My direct debit has gone up from {amount} to {amount2} a month and I don't understand why.",
            "I've been charged {amount} this month, which is nearly double what I normally pay.",
            "From what I can see, my last bill was based on an estimated reading, not the one I sent in.",
            "I'm a bit confused by invoice {invoice}, which arrived on {date}.",
            "I think there is a mistake on my bill.",
            "I was looking at my account online and it shows {amount} owed, which doesn't seem right.",
        ),
        "details": (
            "I submitted a meter reading on {date} so the estimate shouldn't have been used.",
            "The bill covers {date} to {date2} but we were away for most of that time.",
            "There also seems to be a standing charge of {amount} that I wasn't told about.",
            "As far as I know I'm on the {tariff} tariff, but the bill says something different.",
            "My account number is {ref}.",
            "I've attached a photo of the meter, which shows a much lower reading than the one on the bill.",
            "I have paid every month by direct debit so I'm not sure how I can be in arrears.",
            "The payment of {amount} on {date} doesn't appear on the statement at all.",
            "The bill is addressed to {old_address}, which we left in {month}.",
        ),
        "asks": (
            "Can you please check this and send me a corrected bill?",
            "Could you explain how the amount was worked out?",
            "Please can someone look into this before the next payment is taken.",
            "I'd appreciate a breakdown of the charges.",
            "If I have been overcharged, I'd like to know what happens to the difference.",
        ),
    },
    "refund_request": {
        "subjects": (
            "Refund request",
            "Refund please",
            "Request for refund - {ref}",
            "Overpayment refund",
            "Refund of credit balance",
            "Money back for order {order}",
            "Refund for {name}",
            "Charged twice - refund needed",
        ),
        "openers": (
            "I would like to request a refund of the credit on my account.",
            "I've been charged twice for the same month and would like the extra payment refunded.",
            "My account is {amount} in credit and I'd like that money back please.",
            "I returned order {order} on {date} but I still haven't had my refund.",
            "I was told on the phone that I would receive a refund of {amount}, but nothing has arrived yet.",
            "Please refund the {amount} that was taken from my account on {date}.",
            "I cancelled within the cooling-off period, so I believe I'm owed a full refund.",
        ),
        "details": (
            "The refund can go back to my card ending {last4}.",
            "Please pay it into my bank account, sort code {sort_code}, account number {account_no}.",
            "The payment was taken twice on {date}, both for {amount}.",
            "My account reference is {ref} and the closing bill showed a credit of {amount2}.",
            "I spoke to {agent} on {date} who said it would take 5 to 7 working days, but it's been {days}.",
            "The courier collected the return from {address} on {date}.",
            "I have the bank statement showing both payments if you need it.",
            "The bank details for the refund are:\nSort code: {sort_code}\nAccount: {account_no}",
        ),
        "asks": (
            "Please let me know when the refund has been processed.",
            "Can you confirm how long the refund will take?",
            "I'd like this sorted as soon as possible as money is tight this month.",
            "Could you please confirm the refund amount in writing?",
            "If you need anything else from me to process this, please let me know.",
        ),
    },
    "cancel_subscription": {
        "subjects": (
            "Cancel my subscription",
            "Cancellation",
            "Please cancel {plan}",
            "Cancel {plan} plan",
            "Cancel membership - {ref}",
            "Stop my plan",
            "Do not renew",
            "Cancellation request for {name}",
        ),
        "openers": (
            "Please cancel my subscription with immediate effect.",
            "I would like to cancel my {plan} plan.",
            "I no longer need the {plan} cover and would like to cancel it.",
            "Please don't renew my plan when it comes up on {date}.",
            "I want to cancel the monthly subscription I signed up for in {month}.",
            "I'm writing to give notice that I wish to cancel my {plan} add-on.",
            "I'd like to stop the {plan} subscription but keep my main account open.",
        ),
        "details": (
            "The subscription is on account {ref}.",
            "I'm still within the 14-day cooling-off period, having signed up on {date}.",
            "Please stop taking the {amount} monthly payment from my bank.",
            "I've found a cheaper deal elsewhere, so it no longer makes sense to keep it.",
            "My {rel} set this up on our joint account without asking me, so please cancel it.",
            "I've tried to cancel online but the button just takes me back to the home page.",
            "The plan was taken out in the name of {partner}, my {rel}, who has asked me to sort it.",
            "I was charged {amount} on {date} for a month I didn't want.",
        ),
        "asks": (
            "Please confirm the cancellation by email.",
            "Can you make sure no further payments are taken?",
            "Please confirm the date the cancellation takes effect and whether there is any charge.",
            "I don't want a call back to talk me out of it, just an email confirming it's done.",
            "If there is a refund due for the unused part of the month, please let me know.",
        ),
    },
    "delivery_problem": {
        "subjects": (
            "Parcel not arrived",
            "Where is my order?",
            "Delivery problem - order {order}",
            "Order {order} not delivered",
            "Damaged delivery",
            "Missing parcel",
            "Delivered to wrong address",
            "Still waiting for my {product}",
        ),
        "openers": (
            "I ordered a {product} on {date} and it still hasn't arrived.",
            "My order {order} was supposed to be delivered on {weekday} but nothing turned up.",
            "The tracking says my parcel was delivered, but I haven't received anything.",
            "The {product} you sent arrived damaged.",
            "The courier left my parcel at the wrong address.",
            "I've been waiting over {days} for the {product} you promised.",
        ),
        "details": (
            "I was in all day on {date} and nobody knocked.",
            "The delivery address should be {address}.",
            "The tracking page says it was left with a neighbour, but nobody on the street has it.",
            "The box was crushed and the screen is cracked.",
            "The order number is {order} and my account reference is {ref}.",
            "I think it might have gone to my old address, {old_address}, as I moved recently.",
            "A neighbour said a van stopped outside but the driver drove off again.",
            "You can call me on {phone} when the driver is on the way.",
            "Please deliver it to:{address_block}",
        ),
        "asks": (
            "Can you please send a replacement or give me a refund?",
            "Could you find out where it is and rebook the delivery?",
            "Please let me know a new delivery date.",
            "I'd like this resent as soon as possible, preferably by tracked delivery.",
            "If it can't be found, please cancel the order and refund me.",
        ),
    },
    "password_reset": {
        "subjects": (
            "Can't log in",
            "Password reset not working",
            "Locked out of my account",
            "Reset password",
            "Login problem",
            "Account locked - {ref}",
            "Help with online account",
            "Problem signing in",
        ),
        "openers": (
            "I can't log into my online account.",
            "I've forgotten my password and the reset link isn't working.",
            "I keep getting an error saying my account is locked when I try to sign in.",
            "The password reset email never arrives.",
            "I've been locked out of the app after too many attempts.",
            "I changed my phone and now I can't get the verification code to log in.",
        ),
        "details": (
            "I'm using the email address {email} to sign in.",
            "The reset link goes to my old email address, which I no longer have access to.",
            "The verification code goes to {phone}, which is my old number.",
            "I tried from my laptop at home, IP {ip}, and got the same error.",
            "I've checked my spam folder and there's nothing there.",
            "I got an email saying someone logged in from {ip}, which wasn't me.",
            "The username on the account should be {email}.",
            "The account is {ref} and it's in my name, {name}.",
        ),
        "asks": (
            "Could you please reset it for me or send the link to {alt_email} instead?",
            "Can you unlock the account so I can try again?",
            "Please can you help me get back into my account, I need to submit a meter reading.",
            "Could you update the mobile number for verification to {alt_phone}?",
            "If someone else has been into my account I'd like to know what they changed.",
        ),
    },
    "complaint": {
        "subjects": (
            "Complaint",
            "Formal complaint",
            "Formal complaint - {case}",
            "Very unhappy with your service",
            "Complaint about customer service",
            "Complaint - account {ref}",
            "Still not resolved",
            "Unacceptable service",
        ),
        "openers": (
            "I want to make a formal complaint about the way my account has been handled.",
            "I am extremely unhappy with the service I have received from {company}.",
            "This is the third time I have written about the same problem and it is still not resolved.",
            "I'm writing to complain about the engineer visit on {date}.",
            "I spent over an hour on hold yesterday only to be cut off.",
            "I'm really disappointed with how my recent query was dealt with.",
        ),
        "details": (
            "Your agent, {agent}, promised to call me back within 48 hours and never did.",
            "I was told the issue would be fixed by {date}, but nothing has changed.",
            "The engineer didn't turn up and nobody told us, so my {rel} took a day off work for nothing.",
            "My case reference is {case}.",
            "I've been a customer for {years} and I've never been treated like this.",
            "The letters keep going to {old_address} even though I've told you twice that I've moved.",
            "On top of that, I was charged {amount} for a visit that never happened.",
            "My refund of {amount} still hasn't arrived either.",
        ),
        "asks": (
            "I expect a proper response within 14 days, otherwise I'll be taking this to the Ombudsman.",
            "Please escalate this to a manager.",
            "I would like an apology and compensation for the time I've wasted.",
            "Please treat this as a formal complaint and send me your complaints procedure.",
        ),
    },
    "update_payment_details": {
        "subjects": (
            "Update bank details",
            "New bank details",
            "Change of payment details",
            "New card details",
            "Direct debit change - {ref}",
            "Change my direct debit",
            "Update payment method",
            "Bank account changed",
        ),
        "openers": (
            "I've changed banks and need to update my direct debit details.",
            "Please update the card you have on file for my payments.",
            "My old card has expired, so I'd like to give you the new one.",
            "Could you change the bank account my direct debit comes out of?",
            "I'd like to switch from paying by card to paying by direct debit.",
            "I need to change the date my payment is taken to the {day_of_month} of each month.",
        ),
        "details": (
            "The new details are sort code {sort_code} and account number {account_no}.",
            "The new details are:\nSort code: {sort_code}\nAccount number: {account_no}",
            "The account is in the name of {name}.",
            "The account is in joint names with my {rel}, {partner}.",
            "My new card number is {card}.",
            "The IBAN is {iban}, if you need it.",
            "The new card ends in {last4}.",
            "Please take the next payment of {amount} from the new account.",
            "The old account with {bank} is being closed at the end of {month}.",
        ),
        "asks": (
            "Please confirm once the direct debit has been set up.",
            "Can you make sure the next payment doesn't fail while this is being changed?",
            "Let me know if you need me to fill in a form or sign anything.",
            "I don't want to miss a payment, so please update this as soon as possible.",
        ),
    },
    "account_closure": {
        "subjects": (
            "Close my account",
            "Account closure",
            "Close account {ref}",
            "Please close my account",
            "Account of my late {kin_rel}",
            "Moving abroad - close account",
            "Delete my account and data",
            "Final bill and account closure",
        ),
        "openers": (
            "I'd like to close my account please.",
            "Please close my account, as I'm moving abroad at the end of {month}.",
            "I'm writing to let you know that my {kin_rel}, {kin}, passed away on {date}, and I need to "
            "close the account in their name.",
            "I no longer need an account with you and would like it closed.",
            "Please close my account and delete all the personal data you hold about me.",
            "I'm moving in with my {rel} so I won't need my own account any more.",
        ),
        "details": (
            "The account number is {ref}.",
            "I can confirm the account holder's date of birth is {dob}.",
            "For identification, my National Insurance number is {nino}.",
            "Please send the final bill to {address}.",
            "Any remaining credit can be paid to sort code {sort_code}, account {account_no}.",
            "I have attached a copy of the death certificate.",
            "Please take a final reading from the smart meter on {date}.",
            "I'm acting as executor of the estate; my contact number is {phone}.",
            "The forwarding address for any letters is:{address_block}",
        ),
        "asks": (
            "Please confirm in writing once the account has been closed.",
            "Can you let me know if there is anything outstanding to pay?",
            "Please make sure no more direct debits are taken after the account is closed.",
            "I'd also like confirmation that my data has been deleted.",
        ),
    },
    "general_enquiry": {
        "subjects": (
            "Question",
            "Quick question",
            "Enquiry",
            "General enquiry",
            "Question about my account",
            "Information please",
            "Priority Services Register",
            "Smart meter question",
            "Question about tariffs",
        ),
        "openers": (
            "I have a quick question about my account.",
            "Could you tell me whether I'm eligible for the {tariff} tariff?",
            "I'd like to know how to submit a meter reading online.",
            "I'm enquiring about the Priority Services Register.",
            "Can you tell me when my fixed deal ends?",
            "I was wondering whether you offer smart meter installations in {town}.",
            "Could you let me know what the opening hours are for your phone line?",
        ),
        "details": (
            "I rely on medical equipment at home; my NHS number is {nhs} if you need it.",
            "My account reference is {ref}, in case that helps.",
            "We live at {address}.",
            "My date of birth is {dob}, if that's relevant.",
            "I saw an advert for the {tariff} tariff but couldn't find it on the website.",
            "My National Insurance number is {nino}, if you need it for the Warm Home Discount.",
            "We're in {town} and my neighbour has just had one fitted.",
            "My {rel} {partner} is also on the account, if that matters.",
        ),
        "asks": (
            "Thanks in advance for your help.",
            "Could you send me some information by email?",
            "Please let me know when you get a chance.",
            "Any information would be much appreciated.",
            "Could someone give me a call on {phone} to discuss?",
        ),
    },
}

# --- shared sentences -----------------------------------------------------------------------------------

GREETINGS = _c(
    (
        "Dear Sir/Madam,",
        "Dear Sir/Madam,",
        "Dear Sir or Madam,",
        "To whom it may concern,",
        "Hi,",
        "Hi,",
        "Hello,",
        "Hi there,",
        "Hello {team} team,",
        "Dear {company},",
        "Good morning,",
        "Good afternoon,",
        "Dear Customer Services,",
        "Dear {agent_titled},",
        "Hi {agent},",
    )
)
HARD_GREETINGS = _c(
    ("Hi {agent},", "Hello {agent},", "Dear {agent_titled},", "Hi {agent}, hope you're well.")
)

INTROS = _c(
    (
        "My name is {name} and I'm a customer of yours.",
        "This is {name}, account number {ref}.",
        "I'm {name}, the account holder for {ref}.",
        "My name is {name}, account {ref}.",
        "I am writing on behalf of my {rel}, {partner}, who is the account holder.",
    )
)
CONTEXT = _c(
    (
        "I've been a customer for {years} and I've never had a problem before.",
        "I tried calling but was on hold for {minutes} minutes, so I'm emailing instead.",
        "I did try the online chat first but it kept disconnecting.",
        "Sorry if this has already been sent, I wasn't sure the first email went through.",
        "I hope you can help.",
        "I spoke to {agent} on the phone on {date} but nothing seems to have happened since.",
    )
)
BACKSTORY = _c(
    (
        "We've had nothing but problems since we switched to you in {month}.",
        "I work shifts, so it's hard for me to call during your opening hours.",
        "My {rel} usually deals with the bills but is away at the moment, so I'm sorting it.",
        "I've already sent two emails about this and haven't had a reply.",
        "I find phone calls difficult, so please reply by email.",
        "We have two young children at home and need the heating working.",
        "Last winter the bills were about {amount} a month, so this is a big jump.",
        "I've checked the online account and the app, and they show different figures.",
        "To be honest, I'm close to switching supplier over this.",
        "I'm a pensioner on a fixed income, so every pound matters.",
        "My neighbour had the same issue last year and it took months to sort out.",
        "I've read through the FAQs on your website but couldn't find an answer.",
        "The last letter I got from you was dated {date} and didn't really explain anything.",
    )
)
REF_LINES = _c(
    (
        "My account number is {ref}.",
        "Account number: {ref}.",
        "My reference is {ref}.",
        "(Account {ref}.)",
    )
)
VERIFY = _c(
    (
        "For security, my date of birth is {dob}.",
        "To confirm it's me, my date of birth is {dob} and my postcode is {postcode}.",
        "My date of birth is {dob} and the first line of my address is {street_line}.",
        "DOB: {dob}.",
    )
)
CONTACT = _c(
    (
        "You can reach me on {phone}.",
        "Please call me on {phone} if it's easier.",
        "My mobile is {phone} and my email is {email}.",
        "Best to contact me by email at {email}.",
        "If you need to call, I'm on {phone} most evenings.",
        "My landline is {landline} but I'm rarely in during the day.",
    )
)
HARD_CONTACT = _c(
    (
        "You can also email me at {alt_email}.",
        "Please reply to {name} <{alt_email}>, not this address.",
        "Contact details: {phone} / <{email}>.",
        "My NI number is {nino} if you need to check who I am.",
        "Ring me on {landline} or {phone}.",
    )
)
# Customers over-share: identifiers nobody asked for, in any intent.
OVERSHARE = _c(
    (
        "In case you need it, the card I pay with is {card}.",
        "My NHS number is {nhs}, your colleague asked for it last time.",
        "My National Insurance number is {nino}.",
        "Our IBAN is {iban} if that's easier for you.",
        "I was logged in from {ip} when it happened.",
        "The sort code is {sort_code} and the account number is {account_no}, if you need to check payments.",
        "For ID, my date of birth is {dob} and my NI number is {nino}.",
    )
)
ALSO = _c(
    (
        "Also, could you confirm my direct debit is still going out on the 1st?",
        "While I'm writing, my bill for {month} still hasn't arrived.",
        "On a separate note, I'd like to be taken off your marketing emails.",
        "Also, my password reset link doesn't seem to work, but that's less urgent.",
        "As a side note, I still haven't had the refund I was promised last month.",
        "Oh, and I'd also like to update my phone number to {alt_phone}.",
    )
)
HARD_FILLERS = _c(
    (
        "Reading the bill again, I still can't make sense of it.",
        "We were in {away_town} over Easter, so the reading can't be right.",
        "Will you be able to sort this out before the weekend?",
        "May I also ask whether the Green Fixed tariff is still available?",
        "I've been on the Green tariff since March.",
        "The young engineer who came out last time was very helpful.",
        "Bill me monthly rather than quarterly if possible.",
        "Frank answers would be appreciated this time.",
        "I'll be away in {away_town} for a few days, so email is best.",
    )
)
CLOSINGS = _c(
    (
        "Thanks in advance.",
        "Thank you for your help.",
        "I look forward to hearing from you.",
        "Many thanks for your time.",
        "Hope to hear from you soon.",
    )
)
SIGNOFFS: tuple[str, ...] = (
    "Kind regards,",
    "Kind regards,",
    "Thanks,",
    "Best wishes,",
    "Many thanks,",
    "Regards,",
    "Thank you,",
    "Cheers,",
    "Best,",
    "Yours faithfully,",
    "Yours sincerely,",
    "Thanks again,",
)
DEVICE_FOOTERS: tuple[str, ...] = (
    "Sent from my iPhone",
    "Sent from Outlook for Android",
    "Sent from my Galaxy",
)
QUOTE = _c(
    (
        "On {date_full}, {company} Customer Care wrote:\n> Dear {first},\n> Thank you for getting in touch. "
        "We have looked into your query and will update you within 5 working days.\n> Kind regards,\n"
        "> {agent}\n> {company} Customer Care",
    )
)

SUBJECT_PREFIXES: tuple[str, ...] = ("Re: ", "RE: ", "Fwd: ", "URGENT: ")


@dataclass(frozen=True, slots=True)
class IntentTemplates:
    subjects: tuple[Template, ...]
    openers: tuple[Template, ...]
    details: tuple[Template, ...]
    asks: tuple[Template, ...]


INTENT_TEMPLATES: dict[str, IntentTemplates] = {
    intent: IntentTemplates(
        subjects=_c(parts["subjects"]),
        openers=_c(parts["openers"]),
        details=_c(parts["details"]),
        asks=_c(parts["asks"]),
    )
    for intent, parts in _INTENT_TEXT.items()
}
assert tuple(INTENT_TEMPLATES) == INTENTS

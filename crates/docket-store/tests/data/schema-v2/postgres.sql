--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: access_log; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.access_log (
    id bigint NOT NULL,
    at text NOT NULL,
    actor text NOT NULL,
    purpose text NOT NULL,
    record_kind text NOT NULL,
    record_id text NOT NULL
);


--
-- Name: access_log_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.access_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: access_log_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.access_log_id_seq OWNED BY public.access_log.id;


--
-- Name: case_projection; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.case_projection (
    case_id text NOT NULL,
    person_id text,
    version bigint NOT NULL,
    detained boolean NOT NULL,
    final_at text,
    summary text NOT NULL
);


--
-- Name: disclosures; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.disclosures (
    id bigint NOT NULL,
    person_id text NOT NULL,
    disclosed_at text NOT NULL,
    recipient_name text NOT NULL,
    recipient_address text NOT NULL,
    purpose text NOT NULL,
    nature text NOT NULL,
    law_enforcement text NOT NULL,
    recorded_by text NOT NULL,
    packet_sha256 text NOT NULL
);


--
-- Name: disclosures_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.disclosures_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: disclosures_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.disclosures_id_seq OWNED BY public.disclosures.id;


--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    "position" bigint NOT NULL,
    event_id text NOT NULL,
    case_id text NOT NULL,
    version bigint NOT NULL,
    event_type text NOT NULL,
    schema_version integer NOT NULL,
    effective_at text NOT NULL,
    recorded_at text NOT NULL,
    idempotency_key text NOT NULL,
    payload text NOT NULL
);


--
-- Name: events_position_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.events_position_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: events_position_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.events_position_seq OWNED BY public.events."position";


--
-- Name: ledger_checkpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_checkpoints (
    size bigint NOT NULL,
    root bytea NOT NULL,
    note text NOT NULL,
    created_at text NOT NULL
);


--
-- Name: ledger_leaves; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_leaves (
    leaf_index bigint NOT NULL,
    kind text NOT NULL,
    record_ref bigint NOT NULL,
    leaf_hash bytea NOT NULL
);


--
-- Name: ledger_nodes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_nodes (
    level smallint NOT NULL,
    idx bigint NOT NULL,
    hash bytea NOT NULL
);


--
-- Name: ledger_size; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_size (
    id integer NOT NULL,
    size bigint NOT NULL,
    CONSTRAINT ledger_size_id_check CHECK ((id = 1))
);


--
-- Name: persons; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.persons (
    person_id text NOT NULL,
    a_number text,
    given_names text NOT NULL,
    family_names text NOT NULL,
    name_order text NOT NULL,
    given_folded text NOT NULL,
    family_folded text NOT NULL,
    aliases text NOT NULL,
    date_of_birth text NOT NULL,
    sex text NOT NULL,
    nationality text,
    passport_number text,
    passport_country text,
    passport_expiry text
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version bigint NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: access_log id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.access_log ALTER COLUMN id SET DEFAULT nextval('public.access_log_id_seq'::regclass);


--
-- Name: disclosures id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.disclosures ALTER COLUMN id SET DEFAULT nextval('public.disclosures_id_seq'::regclass);


--
-- Name: events position; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events ALTER COLUMN "position" SET DEFAULT nextval('public.events_position_seq'::regclass);


--
-- Data for Name: access_log; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.access_log VALUES (1, '2026-12-04T11:38:22Z', 'officer.fixture', 'case_work', 'case', 'C000000000');
INSERT INTO public.access_log VALUES (2, '2026-12-04T11:38:22Z', 'officer.fixture', 'case_work', 'person', 'P000000000');
INSERT INTO public.access_log VALUES (3, '2026-12-04T11:38:22Z', 'officer.fixture', 'oversight', 'person', 'P000000001');


--
-- Data for Name: case_projection; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.case_projection VALUES ('C000000000', 'P000000000', 6, false, NULL, '{"case_id":"C000000000","person_id":"P000000000","a_number":"A291809704","version":6,"opened_at":"2023-06-04T11:16:18-06:00","last_effective_at":"2026-08-12T09:01:39-06:00","nta_served_at":"2023-06-12T14:43:38-06:00","nta_filed_at":"2023-06-20T14:45:54-06:00","next_hearing":["master","2027-11-16T09:00:00-06:00"],"citizenship":"no_claim"}');
INSERT INTO public.case_projection VALUES ('C000000001', 'P000000001', 8, false, '2026-11-10T00:00:00-05:00', '{"case_id":"C000000001","person_id":"P000000001","a_number":"A246266659","version":8,"opened_at":"2023-03-01T15:54:01-05:00","last_effective_at":"2026-10-10T15:16:01-05:00","nta_served_at":"2023-03-02T10:17:32-05:00","nta_filed_at":"2023-04-16T10:33:00-05:00","decision":["removal_ordered",null,"2026-10-10T15:16:01-05:00"],"appeal_deadline":{"due":"2026-11-09","ends_at":"2026-11-10T00:00:00-05:00","rule":"appeal_window","basis":["daa66d2c-7dd2-78d8-0000-000000000108"]},"final_order":{"at":"2026-11-10T00:00:00-05:00","rule":"final_on_expiry","basis":["daa66d2c-7dd2-78d8-0000-000000000108"]},"removal_period":{"starts_at":"2026-11-10T00:00:00-05:00","ends_at":"2027-02-08T00:00:00-05:00","basis":["daa66d2c-7dd2-78d8-0000-000000000108"]},"citizenship":"no_claim","protections":[{"kind":"automatic_stay","from":"2026-10-10T15:16:01-05:00","until":"2026-11-10T00:00:00-05:00","rule":"automatic_stay_appeal_window","basis":["daa66d2c-7dd2-78d8-0000-000000000108"]}]}');
INSERT INTO public.case_projection VALUES ('C000000002', 'P000000002', 6, false, '2026-12-07T00:00:00-05:00', '{"case_id":"C000000002","person_id":"P000000002","a_number":"A272704300","version":6,"opened_at":"2023-10-13T13:44:38-05:00","last_effective_at":"2026-10-07T13:09:27-05:00","nta_served_at":"2023-10-19T13:41:46-05:00","nta_filed_at":"2023-11-05T11:28:54-05:00","decision":["voluntary_departure","2026-12-06","2026-10-07T13:09:27-05:00"],"appeal_deadline":{"due":"2026-11-06","ends_at":"2026-11-07T00:00:00-05:00","rule":"appeal_window","basis":["daa66d2c-7dd2-78d8-0000-000000000206"]},"final_order":{"at":"2026-12-07T00:00:00-05:00","rule":"final_on_vd_overstay","basis":["daa66d2c-7dd2-78d8-0000-000000000206"]},"voluntary_departure":{"due":"2026-12-06","ends_at":"2026-12-07T00:00:00-05:00","rule":"vd_deadline","basis":["daa66d2c-7dd2-78d8-0000-000000000206"]},"removal_period":{"starts_at":"2026-12-07T00:00:00-05:00","ends_at":"2027-03-07T00:00:00-05:00","basis":["daa66d2c-7dd2-78d8-0000-000000000206"]},"citizenship":"no_claim","protections":[{"kind":"automatic_stay","from":"2026-10-07T13:09:27-05:00","until":"2026-11-07T00:00:00-05:00","rule":"automatic_stay_appeal_window","basis":["daa66d2c-7dd2-78d8-0000-000000000206"]}]}');
INSERT INTO public.case_projection VALUES ('C000000003', 'P000000003', 8, false, NULL, '{"case_id":"C000000003","person_id":"P000000003","a_number":"A287564959","version":8,"opened_at":"2025-02-27T09:02:00-06:00","last_effective_at":"2026-10-23T14:13:38-06:00","nta_served_at":"2025-03-03T12:13:57-06:00","nta_filed_at":"2025-03-11T14:51:37-06:00","next_hearing":["master","2028-04-25T09:00:00-06:00"],"citizenship":"no_claim"}');
INSERT INTO public.case_projection VALUES ('C000000004', 'P000000004', 10, false, '2024-05-14T00:00:00-05:00', '{"case_id":"C000000004","person_id":"P000000004","a_number":"A283297121","version":10,"opened_at":"2023-04-27T09:29:05-05:00","last_effective_at":"2024-06-24T09:08:02-05:00","nta_served_at":"2023-04-30T15:03:50-05:00","nta_filed_at":"2023-05-26T09:32:56-05:00","decision":["voluntary_departure","2024-05-13","2024-03-14T12:42:51-05:00"],"appeal_waived":true,"appeal_deadline":{"due":"2024-04-15","ends_at":"2024-04-16T00:00:00-05:00","rule":"appeal_window","basis":["daa66d2c-7dd2-78d8-0000-000000000408"]},"final_order":{"at":"2024-05-14T00:00:00-05:00","rule":"final_on_vd_overstay","basis":["daa66d2c-7dd2-78d8-0000-000000000408"]},"voluntary_departure":{"due":"2024-05-13","ends_at":"2024-05-14T00:00:00-05:00","rule":"vd_deadline","basis":["daa66d2c-7dd2-78d8-0000-000000000408"]},"removal_period":{"starts_at":"2024-05-14T00:00:00-05:00","ends_at":"2024-08-12T00:00:00-05:00","basis":["daa66d2c-7dd2-78d8-0000-000000000408"]},"citizenship":"no_claim","travel_document":true}');
INSERT INTO public.case_projection VALUES ('C000000005', 'P000000005', 4, false, '2026-05-27T00:00:00-05:00', '{"case_id":"C000000005","person_id":"P000000005","a_number":"A222588669","version":4,"opened_at":"2025-11-25T09:46:27-05:00","last_effective_at":"2026-04-23T12:35:27-05:00","nta_served_at":"2025-12-04T10:20:55-05:00","nta_filed_at":"2025-12-13T13:39:59-05:00","decision":["removal_ordered",null,"2026-04-23T12:35:27-05:00"],"appeal_deadline":{"due":"2026-05-26","ends_at":"2026-05-27T00:00:00-05:00","rule":"appeal_window","basis":["daa66d2c-7dd2-78d8-0000-000000000504"]},"final_order":{"at":"2026-05-27T00:00:00-05:00","rule":"final_on_expiry","basis":["daa66d2c-7dd2-78d8-0000-000000000504"]},"removal_period":{"starts_at":"2026-05-27T00:00:00-05:00","ends_at":"2026-08-25T00:00:00-05:00","basis":["daa66d2c-7dd2-78d8-0000-000000000504"]},"citizenship":"no_claim","protections":[{"kind":"automatic_stay","from":"2026-04-23T12:35:27-05:00","until":"2026-05-27T00:00:00-05:00","rule":"automatic_stay_appeal_window","basis":["daa66d2c-7dd2-78d8-0000-000000000504"]}]}');
INSERT INTO public.case_projection VALUES ('C000000006', 'P000000006', 4, false, NULL, '{"case_id":"C000000006","person_id":"P000000006","a_number":"A260401656","version":4,"opened_at":"2024-09-04T14:59:55-05:00","last_effective_at":"2026-08-05T11:56:49-05:00","nta_served_at":"2024-09-19T12:20:57-05:00","nta_filed_at":"2024-10-01T12:14:14-05:00","next_hearing":["master","2027-02-17T09:00:00-05:00"],"citizenship":"no_claim"}');
INSERT INTO public.case_projection VALUES ('C000000007', 'P000000007', 7, false, NULL, '{"case_id":"C000000007","person_id":"P000000007","a_number":"A260143120","version":7,"opened_at":"2021-03-30T14:30:29-08:00","last_effective_at":"2026-09-17T09:02:58-08:00","nta_served_at":"2021-04-04T15:25:28-08:00","nta_filed_at":"2021-05-17T14:40:19-08:00","next_hearing":["master","2027-04-17T09:00:00-08:00"],"pending_relief":["sij"],"citizenship":"no_claim"}');
INSERT INTO public.case_projection VALUES ('C000000008', 'P000000008', 2, false, NULL, '{"case_id":"C000000008","person_id":"P000000008","a_number":"A236589169","version":2,"opened_at":"2026-06-16T11:37:36-05:00","last_effective_at":"2026-06-21T13:45:36-05:00","nta_served_at":"2026-06-21T13:45:36-05:00","citizenship":"no_claim"}');
INSERT INTO public.case_projection VALUES ('C000000009', 'P000000009', 10, false, '2026-12-01T00:00:00-05:00', '{"case_id":"C000000009","person_id":"P000000009","a_number":"A262682011","version":10,"opened_at":"2026-06-06T11:29:59-05:00","last_effective_at":"2026-10-30T12:12:08-05:00","nta_served_at":"2026-06-10T09:28:03-05:00","nta_filed_at":"2026-07-06T09:30:30-05:00","decision":["removal_ordered",null,"2026-10-30T12:12:08-05:00"],"appeal_deadline":{"due":"2026-11-30","ends_at":"2026-12-01T00:00:00-05:00","rule":"appeal_window","basis":["daa66d2c-7dd2-78d8-0000-00000000090a"]},"final_order":{"at":"2026-12-01T00:00:00-05:00","rule":"final_on_expiry","basis":["daa66d2c-7dd2-78d8-0000-00000000090a"]},"removal_period":{"starts_at":"2026-12-01T00:00:00-05:00","ends_at":"2027-03-01T00:00:00-05:00","basis":["daa66d2c-7dd2-78d8-0000-00000000090a"]},"citizenship":"no_claim","protections":[{"kind":"automatic_stay","from":"2026-10-30T12:12:08-05:00","until":"2026-12-01T00:00:00-05:00","rule":"automatic_stay_appeal_window","basis":["daa66d2c-7dd2-78d8-0000-00000000090a"]}]}');
INSERT INTO public.case_projection VALUES ('C000000010', 'P000000010', 1, false, NULL, '{"case_id":"C000000010","person_id":"P000000010","a_number":"A274607233","version":1,"opened_at":"2026-10-15T13:56:14-06:00","last_effective_at":"2026-10-15T13:56:14-06:00","citizenship":"no_claim"}');
INSERT INTO public.case_projection VALUES ('C000000011', 'P000000011', 7, false, '2024-09-14T15:21:08-05:00', '{"case_id":"C000000011","person_id":"P000000011","a_number":"A205228673","version":7,"opened_at":"2021-10-13T14:05:49-05:00","last_effective_at":"2024-09-19T14:31:30-05:00","nta_served_at":"2021-10-21T15:35:52-05:00","nta_filed_at":"2021-11-21T09:42:25-05:00","decision":["removal_ordered_in_absentia",null,"2024-09-14T15:21:08-05:00"],"final_order":{"at":"2024-09-14T15:21:08-05:00","rule":"final_in_absentia","basis":["daa66d2c-7dd2-78d8-0000-000000000b06"]},"removal_period":{"starts_at":"2024-09-14T15:21:08-05:00","ends_at":"2024-12-13T15:21:08-05:00","basis":["daa66d2c-7dd2-78d8-0000-000000000b06"]},"citizenship":"no_claim","travel_document":true}');


--
-- Data for Name: disclosures; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.disclosures VALUES (1, 'P000000000', '2026-12-04T11:38:22Z', 'Counsel of record', '1 Court St', 'representation', 'case timelines, current legal state and deadlines', 'false', 'officer.fixture', 'bd83f32c933f701effe21b7c6583a2eb5da9d7e17c2f92f1936710e5fef8e8a6');


--
-- Data for Name: events; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.events VALUES (1, 'daa66d2c-7dd2-78d8-0000-000000000001', 'C000000000', 1, 'case_opened', 1, '2023-06-04T11:16:18-06:00', '2023-06-04T12:16:18-06:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000001","case_id":"C000000000","type":"case_opened","schema_version":1,"effective_at":"2023-06-04T11:16:18-06:00","recorded_at":"2023-06-04T12:16:18-06:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000000","a_number":"A291809704"}');
INSERT INTO public.events VALUES (2, 'daa66d2c-7dd2-78d8-0000-000000000002', 'C000000000', 2, 'notice_to_appear_served', 1, '2023-06-12T14:43:38-06:00', '2023-06-12T15:43:38-06:00', 's2', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000002","case_id":"C000000000","type":"notice_to_appear_served","schema_version":1,"effective_at":"2023-06-12T14:43:38-06:00","recorded_at":"2023-06-12T15:43:38-06:00","recorded_by":"synth","source":"import","idempotency_key":"s2"}');
INSERT INTO public.events VALUES (3, 'daa66d2c-7dd2-78d8-0000-000000000003', 'C000000000', 3, 'notice_to_appear_filed', 1, '2023-06-20T14:45:54-06:00', '2023-06-20T15:45:54-06:00', 's3', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000003","case_id":"C000000000","type":"notice_to_appear_filed","schema_version":1,"effective_at":"2023-06-20T14:45:54-06:00","recorded_at":"2023-06-20T15:45:54-06:00","recorded_by":"synth","source":"import","idempotency_key":"s3"}');
INSERT INTO public.events VALUES (4, 'daa66d2c-7dd2-78d8-0000-000000000004', 'C000000000', 4, 'hearing_scheduled', 1, '2023-06-29T14:38:45-06:00', '2023-06-29T15:38:45-06:00', 's4', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000004","case_id":"C000000000","type":"hearing_scheduled","schema_version":1,"effective_at":"2023-06-29T14:38:45-06:00","recorded_at":"2023-06-29T15:38:45-06:00","recorded_by":"synth","source":"import","idempotency_key":"s4","hearing_kind":"master","at":"2023-08-25T10:17:58-06:00"}');
INSERT INTO public.events VALUES (5, 'daa66d2c-7dd2-78d8-0000-000000000005', 'C000000000', 5, 'hearing_held', 1, '2023-08-25T10:17:58-06:00', '2023-08-25T11:17:58-06:00', 's5', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000005","case_id":"C000000000","type":"hearing_held","schema_version":1,"effective_at":"2023-08-25T10:17:58-06:00","recorded_at":"2023-08-25T11:17:58-06:00","recorded_by":"synth","source":"import","idempotency_key":"s5","hearing_kind":"master"}');
INSERT INTO public.events VALUES (6, 'daa66d2c-7dd2-78d8-0000-000000000006', 'C000000000', 6, 'hearing_scheduled', 1, '2026-08-12T09:01:39-06:00', '2026-08-12T10:01:39-06:00', 's6', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000006","case_id":"C000000000","type":"hearing_scheduled","schema_version":1,"effective_at":"2026-08-12T09:01:39-06:00","recorded_at":"2026-08-12T10:01:39-06:00","recorded_by":"synth","source":"import","idempotency_key":"s6","hearing_kind":"master","at":"2027-11-16T09:00:00-06:00"}');
INSERT INTO public.events VALUES (7, 'daa66d2c-7dd2-78d8-0000-000000000101', 'C000000001', 1, 'case_opened', 1, '2023-03-01T15:54:01-05:00', '2023-03-01T16:54:01-05:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000101","case_id":"C000000001","type":"case_opened","schema_version":1,"effective_at":"2023-03-01T15:54:01-05:00","recorded_at":"2023-03-01T16:54:01-05:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000001","a_number":"A246266659"}');
INSERT INTO public.events VALUES (8, 'daa66d2c-7dd2-78d8-0000-000000000102', 'C000000001', 2, 'notice_to_appear_served', 1, '2023-03-02T10:17:32-05:00', '2023-03-02T11:17:32-05:00', 's2', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000102","case_id":"C000000001","type":"notice_to_appear_served","schema_version":1,"effective_at":"2023-03-02T10:17:32-05:00","recorded_at":"2023-03-02T11:17:32-05:00","recorded_by":"synth","source":"import","idempotency_key":"s2"}');
INSERT INTO public.events VALUES (9, 'daa66d2c-7dd2-78d8-0000-000000000103', 'C000000001', 3, 'notice_to_appear_filed', 1, '2023-04-16T10:33:00-05:00', '2023-04-16T11:33:00-05:00', 's3', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000103","case_id":"C000000001","type":"notice_to_appear_filed","schema_version":1,"effective_at":"2023-04-16T10:33:00-05:00","recorded_at":"2023-04-16T11:33:00-05:00","recorded_by":"synth","source":"import","idempotency_key":"s3"}');
INSERT INTO public.events VALUES (10, 'daa66d2c-7dd2-78d8-0000-000000000104', 'C000000001', 4, 'hearing_scheduled', 1, '2023-05-05T11:44:53-05:00', '2023-05-05T12:44:53-05:00', 's4', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000104","case_id":"C000000001","type":"hearing_scheduled","schema_version":1,"effective_at":"2023-05-05T11:44:53-05:00","recorded_at":"2023-05-05T12:44:53-05:00","recorded_by":"synth","source":"import","idempotency_key":"s4","hearing_kind":"master","at":"2023-05-28T13:27:21-05:00"}');
INSERT INTO public.events VALUES (11, 'daa66d2c-7dd2-78d8-0000-000000000105', 'C000000001', 5, 'hearing_held', 1, '2023-05-28T13:27:21-05:00', '2023-05-28T14:27:21-05:00', 's5', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000105","case_id":"C000000001","type":"hearing_held","schema_version":1,"effective_at":"2023-05-28T13:27:21-05:00","recorded_at":"2023-05-28T14:27:21-05:00","recorded_by":"synth","source":"import","idempotency_key":"s5","hearing_kind":"master"}');
INSERT INTO public.events VALUES (12, 'daa66d2c-7dd2-78d8-0000-000000000106', 'C000000001', 6, 'hearing_scheduled', 1, '2023-07-28T15:27:53-05:00', '2023-07-28T16:27:53-05:00', 's6', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000106","case_id":"C000000001","type":"hearing_scheduled","schema_version":1,"effective_at":"2023-07-28T15:27:53-05:00","recorded_at":"2023-07-28T16:27:53-05:00","recorded_by":"synth","source":"import","idempotency_key":"s6","hearing_kind":"master","at":"2023-09-16T13:36:49-05:00"}');
INSERT INTO public.events VALUES (13, 'daa66d2c-7dd2-78d8-0000-000000000107', 'C000000001', 7, 'hearing_held', 1, '2023-09-16T13:36:49-05:00', '2023-09-16T14:36:49-05:00', 's7', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000107","case_id":"C000000001","type":"hearing_held","schema_version":1,"effective_at":"2023-09-16T13:36:49-05:00","recorded_at":"2023-09-16T14:36:49-05:00","recorded_by":"synth","source":"import","idempotency_key":"s7","hearing_kind":"master"}');
INSERT INTO public.events VALUES (14, 'daa66d2c-7dd2-78d8-0000-000000000108', 'C000000001', 8, 'decision_issued', 1, '2026-10-10T15:16:01-05:00', '2026-10-10T16:16:01-05:00', 's8', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000108","case_id":"C000000001","type":"decision_issued","schema_version":1,"effective_at":"2026-10-10T15:16:01-05:00","recorded_at":"2026-10-10T16:16:01-05:00","recorded_by":"synth","source":"import","idempotency_key":"s8","outcome":"removal_ordered"}');
INSERT INTO public.events VALUES (15, 'daa66d2c-7dd2-78d8-0000-000000000201', 'C000000002', 1, 'case_opened', 1, '2023-10-13T13:44:38-05:00', '2023-10-13T14:44:38-05:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000201","case_id":"C000000002","type":"case_opened","schema_version":1,"effective_at":"2023-10-13T13:44:38-05:00","recorded_at":"2023-10-13T14:44:38-05:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000002","a_number":"A272704300"}');
INSERT INTO public.events VALUES (16, 'daa66d2c-7dd2-78d8-0000-000000000202', 'C000000002', 2, 'notice_to_appear_served', 1, '2023-10-19T13:41:46-05:00', '2023-10-19T14:41:46-05:00', 's2', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000202","case_id":"C000000002","type":"notice_to_appear_served","schema_version":1,"effective_at":"2023-10-19T13:41:46-05:00","recorded_at":"2023-10-19T14:41:46-05:00","recorded_by":"synth","source":"import","idempotency_key":"s2"}');
INSERT INTO public.events VALUES (17, 'daa66d2c-7dd2-78d8-0000-000000000203', 'C000000002', 3, 'notice_to_appear_filed', 1, '2023-11-05T11:28:54-05:00', '2023-11-05T12:28:54-05:00', 's3', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000203","case_id":"C000000002","type":"notice_to_appear_filed","schema_version":1,"effective_at":"2023-11-05T11:28:54-05:00","recorded_at":"2023-11-05T12:28:54-05:00","recorded_by":"synth","source":"import","idempotency_key":"s3"}');
INSERT INTO public.events VALUES (18, 'daa66d2c-7dd2-78d8-0000-000000000204', 'C000000002', 4, 'hearing_scheduled', 1, '2024-04-01T14:08:49-05:00', '2024-04-01T15:08:49-05:00', 's4', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000204","case_id":"C000000002","type":"hearing_scheduled","schema_version":1,"effective_at":"2024-04-01T14:08:49-05:00","recorded_at":"2024-04-01T15:08:49-05:00","recorded_by":"synth","source":"import","idempotency_key":"s4","hearing_kind":"master","at":"2024-05-10T15:32:14-05:00"}');
INSERT INTO public.events VALUES (19, 'daa66d2c-7dd2-78d8-0000-000000000205', 'C000000002', 5, 'hearing_held', 1, '2024-05-10T15:32:14-05:00', '2024-05-10T16:32:14-05:00', 's5', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000205","case_id":"C000000002","type":"hearing_held","schema_version":1,"effective_at":"2024-05-10T15:32:14-05:00","recorded_at":"2024-05-10T16:32:14-05:00","recorded_by":"synth","source":"import","idempotency_key":"s5","hearing_kind":"master"}');
INSERT INTO public.events VALUES (20, 'daa66d2c-7dd2-78d8-0000-000000000206', 'C000000002', 6, 'decision_issued', 1, '2026-10-07T13:09:27-05:00', '2026-10-07T14:09:27-05:00', 's6', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000206","case_id":"C000000002","type":"decision_issued","schema_version":1,"effective_at":"2026-10-07T13:09:27-05:00","recorded_at":"2026-10-07T14:09:27-05:00","recorded_by":"synth","source":"import","idempotency_key":"s6","outcome":"voluntary_departure","voluntary_departure_deadline":"2026-12-06"}');
INSERT INTO public.events VALUES (21, 'daa66d2c-7dd2-78d8-0000-000000000301', 'C000000003', 1, 'case_opened', 1, '2025-02-27T09:02:00-06:00', '2025-02-27T10:02:00-06:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000301","case_id":"C000000003","type":"case_opened","schema_version":1,"effective_at":"2025-02-27T09:02:00-06:00","recorded_at":"2025-02-27T10:02:00-06:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000003","a_number":"A287564959"}');
INSERT INTO public.events VALUES (22, 'daa66d2c-7dd2-78d8-0000-000000000302', 'C000000003', 2, 'notice_to_appear_served', 1, '2025-03-03T12:13:57-06:00', '2025-03-03T13:13:57-06:00', 's2', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000302","case_id":"C000000003","type":"notice_to_appear_served","schema_version":1,"effective_at":"2025-03-03T12:13:57-06:00","recorded_at":"2025-03-03T13:13:57-06:00","recorded_by":"synth","source":"import","idempotency_key":"s2"}');
INSERT INTO public.events VALUES (23, 'daa66d2c-7dd2-78d8-0000-000000000303', 'C000000003', 3, 'notice_to_appear_filed', 1, '2025-03-11T14:51:37-06:00', '2025-03-11T15:51:37-06:00', 's3', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000303","case_id":"C000000003","type":"notice_to_appear_filed","schema_version":1,"effective_at":"2025-03-11T14:51:37-06:00","recorded_at":"2025-03-11T15:51:37-06:00","recorded_by":"synth","source":"import","idempotency_key":"s3"}');
INSERT INTO public.events VALUES (24, 'daa66d2c-7dd2-78d8-0000-000000000304', 'C000000003', 4, 'hearing_scheduled', 1, '2025-03-11T14:51:37-06:00', '2025-03-11T15:51:37-06:00', 's4', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000304","case_id":"C000000003","type":"hearing_scheduled","schema_version":1,"effective_at":"2025-03-11T14:51:37-06:00","recorded_at":"2025-03-11T15:51:37-06:00","recorded_by":"synth","source":"import","idempotency_key":"s4","hearing_kind":"master","at":"2025-04-17T14:24:02-06:00"}');
INSERT INTO public.events VALUES (25, 'daa66d2c-7dd2-78d8-0000-000000000305', 'C000000003', 5, 'hearing_held', 1, '2025-04-17T14:24:02-06:00', '2025-04-17T15:24:02-06:00', 's5', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000305","case_id":"C000000003","type":"hearing_held","schema_version":1,"effective_at":"2025-04-17T14:24:02-06:00","recorded_at":"2025-04-17T15:24:02-06:00","recorded_by":"synth","source":"import","idempotency_key":"s5","hearing_kind":"master"}');
INSERT INTO public.events VALUES (26, 'daa66d2c-7dd2-78d8-0000-000000000306', 'C000000003', 6, 'hearing_scheduled', 1, '2025-04-17T14:24:02-06:00', '2025-04-17T15:24:02-06:00', 's6', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000306","case_id":"C000000003","type":"hearing_scheduled","schema_version":1,"effective_at":"2025-04-17T14:24:02-06:00","recorded_at":"2025-04-17T15:24:02-06:00","recorded_by":"synth","source":"import","idempotency_key":"s6","hearing_kind":"master","at":"2025-06-12T15:04:50-06:00"}');
INSERT INTO public.events VALUES (27, 'daa66d2c-7dd2-78d8-0000-000000000307', 'C000000003', 7, 'hearing_held', 1, '2025-06-12T15:04:50-06:00', '2025-06-12T16:04:50-06:00', 's7', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000307","case_id":"C000000003","type":"hearing_held","schema_version":1,"effective_at":"2025-06-12T15:04:50-06:00","recorded_at":"2025-06-12T16:04:50-06:00","recorded_by":"synth","source":"import","idempotency_key":"s7","hearing_kind":"master"}');
INSERT INTO public.events VALUES (28, 'daa66d2c-7dd2-78d8-0000-000000000308', 'C000000003', 8, 'hearing_scheduled', 1, '2026-10-23T14:13:38-06:00', '2026-10-23T15:13:38-06:00', 's8', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000308","case_id":"C000000003","type":"hearing_scheduled","schema_version":1,"effective_at":"2026-10-23T14:13:38-06:00","recorded_at":"2026-10-23T15:13:38-06:00","recorded_by":"synth","source":"import","idempotency_key":"s8","hearing_kind":"master","at":"2028-04-25T09:00:00-06:00"}');
INSERT INTO public.events VALUES (29, 'daa66d2c-7dd2-78d8-0000-000000000401', 'C000000004', 1, 'case_opened', 1, '2023-04-27T09:29:05-05:00', '2023-04-27T10:29:05-05:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000401","case_id":"C000000004","type":"case_opened","schema_version":1,"effective_at":"2023-04-27T09:29:05-05:00","recorded_at":"2023-04-27T10:29:05-05:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000004","a_number":"A283297121"}');
INSERT INTO public.events VALUES (30, 'daa66d2c-7dd2-78d8-0000-000000000402', 'C000000004', 2, 'notice_to_appear_served', 1, '2023-04-30T15:03:50-05:00', '2023-04-30T16:03:50-05:00', 's2', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000402","case_id":"C000000004","type":"notice_to_appear_served","schema_version":1,"effective_at":"2023-04-30T15:03:50-05:00","recorded_at":"2023-04-30T16:03:50-05:00","recorded_by":"synth","source":"import","idempotency_key":"s2"}');
INSERT INTO public.events VALUES (31, 'daa66d2c-7dd2-78d8-0000-000000000403', 'C000000004', 3, 'notice_to_appear_filed', 1, '2023-05-26T09:32:56-05:00', '2023-05-26T10:32:56-05:00', 's3', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000403","case_id":"C000000004","type":"notice_to_appear_filed","schema_version":1,"effective_at":"2023-05-26T09:32:56-05:00","recorded_at":"2023-05-26T10:32:56-05:00","recorded_by":"synth","source":"import","idempotency_key":"s3"}');
INSERT INTO public.events VALUES (32, 'daa66d2c-7dd2-78d8-0000-000000000404', 'C000000004', 4, 'hearing_scheduled', 1, '2023-05-29T13:21:14-05:00', '2023-05-29T14:21:14-05:00', 's4', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000404","case_id":"C000000004","type":"hearing_scheduled","schema_version":1,"effective_at":"2023-05-29T13:21:14-05:00","recorded_at":"2023-05-29T14:21:14-05:00","recorded_by":"synth","source":"import","idempotency_key":"s4","hearing_kind":"master","at":"2023-07-14T10:17:57-05:00"}');
INSERT INTO public.events VALUES (33, 'daa66d2c-7dd2-78d8-0000-000000000405', 'C000000004', 5, 'hearing_held', 1, '2023-07-14T10:17:57-05:00', '2023-07-14T11:17:57-05:00', 's5', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000405","case_id":"C000000004","type":"hearing_held","schema_version":1,"effective_at":"2023-07-14T10:17:57-05:00","recorded_at":"2023-07-14T11:17:57-05:00","recorded_by":"synth","source":"import","idempotency_key":"s5","hearing_kind":"master"}');
INSERT INTO public.events VALUES (34, 'daa66d2c-7dd2-78d8-0000-000000000406', 'C000000004', 6, 'hearing_scheduled', 1, '2023-11-26T14:17:02-05:00', '2023-11-26T15:17:02-05:00', 's6', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000406","case_id":"C000000004","type":"hearing_scheduled","schema_version":1,"effective_at":"2023-11-26T14:17:02-05:00","recorded_at":"2023-11-26T15:17:02-05:00","recorded_by":"synth","source":"import","idempotency_key":"s6","hearing_kind":"master","at":"2024-01-16T14:13:38-05:00"}');
INSERT INTO public.events VALUES (35, 'daa66d2c-7dd2-78d8-0000-000000000407', 'C000000004', 7, 'hearing_held', 1, '2024-01-16T14:13:38-05:00', '2024-01-16T15:13:38-05:00', 's7', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000407","case_id":"C000000004","type":"hearing_held","schema_version":1,"effective_at":"2024-01-16T14:13:38-05:00","recorded_at":"2024-01-16T15:13:38-05:00","recorded_by":"synth","source":"import","idempotency_key":"s7","hearing_kind":"master"}');
INSERT INTO public.events VALUES (36, 'daa66d2c-7dd2-78d8-0000-000000000408', 'C000000004', 8, 'decision_issued', 1, '2024-03-14T12:42:51-05:00', '2024-03-14T13:42:51-05:00', 's8', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000408","case_id":"C000000004","type":"decision_issued","schema_version":1,"effective_at":"2024-03-14T12:42:51-05:00","recorded_at":"2024-03-14T13:42:51-05:00","recorded_by":"synth","source":"import","idempotency_key":"s8","outcome":"voluntary_departure","voluntary_departure_deadline":"2024-05-13"}');
INSERT INTO public.events VALUES (37, 'daa66d2c-7dd2-78d8-0000-000000000409', 'C000000004', 9, 'appeal_waived', 1, '2024-03-14T12:42:51-05:00', '2024-03-14T13:42:51-05:00', 's9', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000409","case_id":"C000000004","type":"appeal_waived","schema_version":1,"effective_at":"2024-03-14T12:42:51-05:00","recorded_at":"2024-03-14T13:42:51-05:00","recorded_by":"synth","source":"import","idempotency_key":"s9"}');
INSERT INTO public.events VALUES (38, 'daa66d2c-7dd2-78d8-0000-00000000040a', 'C000000004', 10, 'travel_document_obtained', 1, '2024-06-24T09:08:02-05:00', '2024-06-24T10:08:02-05:00', 's10', '{"event_id":"daa66d2c-7dd2-78d8-0000-00000000040a","case_id":"C000000004","type":"travel_document_obtained","schema_version":1,"effective_at":"2024-06-24T09:08:02-05:00","recorded_at":"2024-06-24T10:08:02-05:00","recorded_by":"synth","source":"import","idempotency_key":"s10","document_type":"laissez_passer","document_number":"LP3434951","issuing_country":"CUB","expiry":"2027-04-30"}');
INSERT INTO public.events VALUES (39, 'daa66d2c-7dd2-78d8-0000-000000000501', 'C000000005', 1, 'case_opened', 1, '2025-11-25T09:46:27-05:00', '2025-11-25T10:46:27-05:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000501","case_id":"C000000005","type":"case_opened","schema_version":1,"effective_at":"2025-11-25T09:46:27-05:00","recorded_at":"2025-11-25T10:46:27-05:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000005","a_number":"A222588669"}');
INSERT INTO public.events VALUES (40, 'daa66d2c-7dd2-78d8-0000-000000000502', 'C000000005', 2, 'notice_to_appear_served', 1, '2025-12-04T10:20:55-05:00', '2025-12-04T11:20:55-05:00', 's2', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000502","case_id":"C000000005","type":"notice_to_appear_served","schema_version":1,"effective_at":"2025-12-04T10:20:55-05:00","recorded_at":"2025-12-04T11:20:55-05:00","recorded_by":"synth","source":"import","idempotency_key":"s2"}');
INSERT INTO public.events VALUES (41, 'daa66d2c-7dd2-78d8-0000-000000000503', 'C000000005', 3, 'notice_to_appear_filed', 1, '2025-12-13T13:39:59-05:00', '2025-12-13T14:39:59-05:00', 's3', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000503","case_id":"C000000005","type":"notice_to_appear_filed","schema_version":1,"effective_at":"2025-12-13T13:39:59-05:00","recorded_at":"2025-12-13T14:39:59-05:00","recorded_by":"synth","source":"import","idempotency_key":"s3"}');
INSERT INTO public.events VALUES (42, 'daa66d2c-7dd2-78d8-0000-000000000504', 'C000000005', 4, 'decision_issued', 1, '2026-04-23T12:35:27-05:00', '2026-04-23T13:35:27-05:00', 's4', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000504","case_id":"C000000005","type":"decision_issued","schema_version":1,"effective_at":"2026-04-23T12:35:27-05:00","recorded_at":"2026-04-23T13:35:27-05:00","recorded_by":"synth","source":"import","idempotency_key":"s4","outcome":"removal_ordered"}');
INSERT INTO public.events VALUES (43, 'daa66d2c-7dd2-78d8-0000-000000000601', 'C000000006', 1, 'case_opened', 1, '2024-09-04T14:59:55-05:00', '2024-09-04T15:59:55-05:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000601","case_id":"C000000006","type":"case_opened","schema_version":1,"effective_at":"2024-09-04T14:59:55-05:00","recorded_at":"2024-09-04T15:59:55-05:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000006","a_number":"A260401656"}');
INSERT INTO public.events VALUES (44, 'daa66d2c-7dd2-78d8-0000-000000000602', 'C000000006', 2, 'notice_to_appear_served', 1, '2024-09-19T12:20:57-05:00', '2024-09-19T13:20:57-05:00', 's2', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000602","case_id":"C000000006","type":"notice_to_appear_served","schema_version":1,"effective_at":"2024-09-19T12:20:57-05:00","recorded_at":"2024-09-19T13:20:57-05:00","recorded_by":"synth","source":"import","idempotency_key":"s2"}');
INSERT INTO public.events VALUES (45, 'daa66d2c-7dd2-78d8-0000-000000000603', 'C000000006', 3, 'notice_to_appear_filed', 1, '2024-10-01T12:14:14-05:00', '2024-10-01T13:14:14-05:00', 's3', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000603","case_id":"C000000006","type":"notice_to_appear_filed","schema_version":1,"effective_at":"2024-10-01T12:14:14-05:00","recorded_at":"2024-10-01T13:14:14-05:00","recorded_by":"synth","source":"import","idempotency_key":"s3"}');
INSERT INTO public.events VALUES (46, 'daa66d2c-7dd2-78d8-0000-000000000604', 'C000000006', 4, 'hearing_scheduled', 1, '2026-08-05T11:56:49-05:00', '2026-08-05T12:56:49-05:00', 's4', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000604","case_id":"C000000006","type":"hearing_scheduled","schema_version":1,"effective_at":"2026-08-05T11:56:49-05:00","recorded_at":"2026-08-05T12:56:49-05:00","recorded_by":"synth","source":"import","idempotency_key":"s4","hearing_kind":"master","at":"2027-02-17T09:00:00-05:00"}');
INSERT INTO public.events VALUES (47, 'daa66d2c-7dd2-78d8-0000-000000000701', 'C000000007', 1, 'case_opened', 1, '2021-03-30T14:30:29-08:00', '2021-03-30T15:30:29-08:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000701","case_id":"C000000007","type":"case_opened","schema_version":1,"effective_at":"2021-03-30T14:30:29-08:00","recorded_at":"2021-03-30T15:30:29-08:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000007","a_number":"A260143120"}');
INSERT INTO public.events VALUES (48, 'daa66d2c-7dd2-78d8-0000-000000000702', 'C000000007', 2, 'notice_to_appear_served', 1, '2021-04-04T15:25:28-08:00', '2021-04-04T16:25:28-08:00', 's2', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000702","case_id":"C000000007","type":"notice_to_appear_served","schema_version":1,"effective_at":"2021-04-04T15:25:28-08:00","recorded_at":"2021-04-04T16:25:28-08:00","recorded_by":"synth","source":"import","idempotency_key":"s2"}');
INSERT INTO public.events VALUES (49, 'daa66d2c-7dd2-78d8-0000-000000000703', 'C000000007', 3, 'notice_to_appear_filed', 1, '2021-05-17T14:40:19-08:00', '2021-05-17T15:40:19-08:00', 's3', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000703","case_id":"C000000007","type":"notice_to_appear_filed","schema_version":1,"effective_at":"2021-05-17T14:40:19-08:00","recorded_at":"2021-05-17T15:40:19-08:00","recorded_by":"synth","source":"import","idempotency_key":"s3"}');
INSERT INTO public.events VALUES (67, 'daa66d2c-7dd2-78d8-0000-000000000b01', 'C000000011', 1, 'case_opened', 1, '2021-10-13T14:05:49-05:00', '2021-10-13T15:05:49-05:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000b01","case_id":"C000000011","type":"case_opened","schema_version":1,"effective_at":"2021-10-13T14:05:49-05:00","recorded_at":"2021-10-13T15:05:49-05:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000011","a_number":"A205228673"}');
INSERT INTO public.events VALUES (50, 'daa66d2c-7dd2-78d8-0000-000000000704', 'C000000007', 4, 'hearing_scheduled', 1, '2021-09-19T13:55:02-08:00', '2021-09-19T14:55:02-08:00', 's4', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000704","case_id":"C000000007","type":"hearing_scheduled","schema_version":1,"effective_at":"2021-09-19T13:55:02-08:00","recorded_at":"2021-09-19T14:55:02-08:00","recorded_by":"synth","source":"import","idempotency_key":"s4","hearing_kind":"master","at":"2021-11-18T10:28:02-08:00"}');
INSERT INTO public.events VALUES (51, 'daa66d2c-7dd2-78d8-0000-000000000705', 'C000000007', 5, 'hearing_held', 1, '2021-11-18T10:28:02-08:00', '2021-11-18T11:28:02-08:00', 's5', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000705","case_id":"C000000007","type":"hearing_held","schema_version":1,"effective_at":"2021-11-18T10:28:02-08:00","recorded_at":"2021-11-18T11:28:02-08:00","recorded_by":"synth","source":"import","idempotency_key":"s5","hearing_kind":"master"}');
INSERT INTO public.events VALUES (52, 'daa66d2c-7dd2-78d8-0000-000000000706', 'C000000007', 6, 'relief_application_filed', 1, '2022-02-05T15:05:13-08:00', '2022-02-05T16:05:13-08:00', 's6', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000706","case_id":"C000000007","type":"relief_application_filed","schema_version":1,"effective_at":"2022-02-05T15:05:13-08:00","recorded_at":"2022-02-05T16:05:13-08:00","recorded_by":"synth","source":"import","idempotency_key":"s6","relief":"sij"}');
INSERT INTO public.events VALUES (53, 'daa66d2c-7dd2-78d8-0000-000000000707', 'C000000007', 7, 'hearing_scheduled', 1, '2026-09-17T09:02:58-08:00', '2026-09-17T10:02:58-08:00', 's7', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000707","case_id":"C000000007","type":"hearing_scheduled","schema_version":1,"effective_at":"2026-09-17T09:02:58-08:00","recorded_at":"2026-09-17T10:02:58-08:00","recorded_by":"synth","source":"import","idempotency_key":"s7","hearing_kind":"master","at":"2027-04-17T09:00:00-08:00"}');
INSERT INTO public.events VALUES (54, 'daa66d2c-7dd2-78d8-0000-000000000801', 'C000000008', 1, 'case_opened', 1, '2026-06-16T11:37:36-05:00', '2026-06-16T12:37:36-05:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000801","case_id":"C000000008","type":"case_opened","schema_version":1,"effective_at":"2026-06-16T11:37:36-05:00","recorded_at":"2026-06-16T12:37:36-05:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000008","a_number":"A236589169"}');
INSERT INTO public.events VALUES (55, 'daa66d2c-7dd2-78d8-0000-000000000802', 'C000000008', 2, 'notice_to_appear_served', 1, '2026-06-21T13:45:36-05:00', '2026-06-21T14:45:36-05:00', 's2', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000802","case_id":"C000000008","type":"notice_to_appear_served","schema_version":1,"effective_at":"2026-06-21T13:45:36-05:00","recorded_at":"2026-06-21T14:45:36-05:00","recorded_by":"synth","source":"import","idempotency_key":"s2"}');
INSERT INTO public.events VALUES (56, 'daa66d2c-7dd2-78d8-0000-000000000901', 'C000000009', 1, 'case_opened', 1, '2026-06-06T11:29:59-05:00', '2026-06-06T12:29:59-05:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000901","case_id":"C000000009","type":"case_opened","schema_version":1,"effective_at":"2026-06-06T11:29:59-05:00","recorded_at":"2026-06-06T12:29:59-05:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000009","a_number":"A262682011"}');
INSERT INTO public.events VALUES (57, 'daa66d2c-7dd2-78d8-0000-000000000902', 'C000000009', 2, 'notice_to_appear_served', 1, '2026-06-10T09:28:03-05:00', '2026-06-10T10:28:03-05:00', 's2', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000902","case_id":"C000000009","type":"notice_to_appear_served","schema_version":1,"effective_at":"2026-06-10T09:28:03-05:00","recorded_at":"2026-06-10T10:28:03-05:00","recorded_by":"synth","source":"import","idempotency_key":"s2"}');
INSERT INTO public.events VALUES (58, 'daa66d2c-7dd2-78d8-0000-000000000903', 'C000000009', 3, 'notice_to_appear_filed', 1, '2026-07-06T09:30:30-05:00', '2026-07-06T10:30:30-05:00', 's3', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000903","case_id":"C000000009","type":"notice_to_appear_filed","schema_version":1,"effective_at":"2026-07-06T09:30:30-05:00","recorded_at":"2026-07-06T10:30:30-05:00","recorded_by":"synth","source":"import","idempotency_key":"s3"}');
INSERT INTO public.events VALUES (59, 'daa66d2c-7dd2-78d8-0000-000000000904', 'C000000009', 4, 'relief_application_filed', 1, '2026-10-30T12:12:08-05:00', '2026-10-30T13:12:08-05:00', 's4', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000904","case_id":"C000000009","type":"relief_application_filed","schema_version":1,"effective_at":"2026-10-30T12:12:08-05:00","recorded_at":"2026-10-30T13:12:08-05:00","recorded_by":"synth","source":"import","idempotency_key":"s4","relief":"asylum"}');
INSERT INTO public.events VALUES (60, 'daa66d2c-7dd2-78d8-0000-000000000905', 'C000000009', 5, 'relief_application_filed', 1, '2026-10-30T12:12:08-05:00', '2026-10-30T13:12:08-05:00', 's5', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000905","case_id":"C000000009","type":"relief_application_filed","schema_version":1,"effective_at":"2026-10-30T12:12:08-05:00","recorded_at":"2026-10-30T13:12:08-05:00","recorded_by":"synth","source":"import","idempotency_key":"s5","relief":"withholding"}');
INSERT INTO public.events VALUES (61, 'daa66d2c-7dd2-78d8-0000-000000000906', 'C000000009', 6, 'relief_application_filed', 1, '2026-10-30T12:12:08-05:00', '2026-10-30T13:12:08-05:00', 's6', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000906","case_id":"C000000009","type":"relief_application_filed","schema_version":1,"effective_at":"2026-10-30T12:12:08-05:00","recorded_at":"2026-10-30T13:12:08-05:00","recorded_by":"synth","source":"import","idempotency_key":"s6","relief":"cat"}');
INSERT INTO public.events VALUES (62, 'daa66d2c-7dd2-78d8-0000-000000000907', 'C000000009', 7, 'relief_application_denied', 1, '2026-10-30T12:12:08-05:00', '2026-10-30T13:12:08-05:00', 's7', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000907","case_id":"C000000009","type":"relief_application_denied","schema_version":1,"effective_at":"2026-10-30T12:12:08-05:00","recorded_at":"2026-10-30T13:12:08-05:00","recorded_by":"synth","source":"import","idempotency_key":"s7","relief":"asylum"}');
INSERT INTO public.events VALUES (63, 'daa66d2c-7dd2-78d8-0000-000000000908', 'C000000009', 8, 'relief_application_denied', 1, '2026-10-30T12:12:08-05:00', '2026-10-30T13:12:08-05:00', 's8', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000908","case_id":"C000000009","type":"relief_application_denied","schema_version":1,"effective_at":"2026-10-30T12:12:08-05:00","recorded_at":"2026-10-30T13:12:08-05:00","recorded_by":"synth","source":"import","idempotency_key":"s8","relief":"withholding"}');
INSERT INTO public.events VALUES (64, 'daa66d2c-7dd2-78d8-0000-000000000909', 'C000000009', 9, 'relief_application_denied', 1, '2026-10-30T12:12:08-05:00', '2026-10-30T13:12:08-05:00', 's9', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000909","case_id":"C000000009","type":"relief_application_denied","schema_version":1,"effective_at":"2026-10-30T12:12:08-05:00","recorded_at":"2026-10-30T13:12:08-05:00","recorded_by":"synth","source":"import","idempotency_key":"s9","relief":"cat"}');
INSERT INTO public.events VALUES (65, 'daa66d2c-7dd2-78d8-0000-00000000090a', 'C000000009', 10, 'decision_issued', 1, '2026-10-30T12:12:08-05:00', '2026-10-30T13:12:08-05:00', 's10', '{"event_id":"daa66d2c-7dd2-78d8-0000-00000000090a","case_id":"C000000009","type":"decision_issued","schema_version":1,"effective_at":"2026-10-30T12:12:08-05:00","recorded_at":"2026-10-30T13:12:08-05:00","recorded_by":"synth","source":"import","idempotency_key":"s10","outcome":"removal_ordered"}');
INSERT INTO public.events VALUES (66, 'daa66d2c-7dd2-78d8-0000-000000000a01', 'C000000010', 1, 'case_opened', 1, '2026-10-15T13:56:14-06:00', '2026-10-15T14:56:14-06:00', 's1', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000a01","case_id":"C000000010","type":"case_opened","schema_version":1,"effective_at":"2026-10-15T13:56:14-06:00","recorded_at":"2026-10-15T14:56:14-06:00","recorded_by":"synth","source":"import","idempotency_key":"s1","person_id":"P000000010","a_number":"A274607233"}');
INSERT INTO public.events VALUES (68, 'daa66d2c-7dd2-78d8-0000-000000000b02', 'C000000011', 2, 'notice_to_appear_served', 1, '2021-10-21T15:35:52-05:00', '2021-10-21T16:35:52-05:00', 's2', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000b02","case_id":"C000000011","type":"notice_to_appear_served","schema_version":1,"effective_at":"2021-10-21T15:35:52-05:00","recorded_at":"2021-10-21T16:35:52-05:00","recorded_by":"synth","source":"import","idempotency_key":"s2"}');
INSERT INTO public.events VALUES (69, 'daa66d2c-7dd2-78d8-0000-000000000b03', 'C000000011', 3, 'notice_to_appear_filed', 1, '2021-11-21T09:42:25-05:00', '2021-11-21T10:42:25-05:00', 's3', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000b03","case_id":"C000000011","type":"notice_to_appear_filed","schema_version":1,"effective_at":"2021-11-21T09:42:25-05:00","recorded_at":"2021-11-21T10:42:25-05:00","recorded_by":"synth","source":"import","idempotency_key":"s3"}');
INSERT INTO public.events VALUES (70, 'daa66d2c-7dd2-78d8-0000-000000000b04', 'C000000011', 4, 'relief_application_filed', 1, '2022-01-14T13:56:14-05:00', '2022-01-14T14:56:14-05:00', 's4', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000b04","case_id":"C000000011","type":"relief_application_filed","schema_version":1,"effective_at":"2022-01-14T13:56:14-05:00","recorded_at":"2022-01-14T14:56:14-05:00","recorded_by":"synth","source":"import","idempotency_key":"s4","relief":"sij"}');
INSERT INTO public.events VALUES (71, 'daa66d2c-7dd2-78d8-0000-000000000b05', 'C000000011', 5, 'relief_application_denied', 1, '2024-09-14T15:21:08-05:00', '2024-09-14T16:21:08-05:00', 's5', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000b05","case_id":"C000000011","type":"relief_application_denied","schema_version":1,"effective_at":"2024-09-14T15:21:08-05:00","recorded_at":"2024-09-14T16:21:08-05:00","recorded_by":"synth","source":"import","idempotency_key":"s5","relief":"sij"}');
INSERT INTO public.events VALUES (72, 'daa66d2c-7dd2-78d8-0000-000000000b06', 'C000000011', 6, 'decision_issued', 1, '2024-09-14T15:21:08-05:00', '2024-09-14T16:21:08-05:00', 's6', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000b06","case_id":"C000000011","type":"decision_issued","schema_version":1,"effective_at":"2024-09-14T15:21:08-05:00","recorded_at":"2024-09-14T16:21:08-05:00","recorded_by":"synth","source":"import","idempotency_key":"s6","outcome":"removal_ordered_in_absentia"}');
INSERT INTO public.events VALUES (73, 'daa66d2c-7dd2-78d8-0000-000000000b07', 'C000000011', 7, 'travel_document_obtained', 1, '2024-09-19T14:31:30-05:00', '2024-09-19T15:31:30-05:00', 's7', '{"event_id":"daa66d2c-7dd2-78d8-0000-000000000b07","case_id":"C000000011","type":"travel_document_obtained","schema_version":1,"effective_at":"2024-09-19T14:31:30-05:00","recorded_at":"2024-09-19T15:31:30-05:00","recorded_by":"synth","source":"import","idempotency_key":"s7","document_type":"passport","document_number":"N19895502","issuing_country":"MEX","expiry":"2032-10-02"}');


--
-- Data for Name: ledger_checkpoints; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.ledger_checkpoints VALUES (0, '\xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'docket.ledger/docket-f0e64b66
0
47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=

— docket-f0e64b66 mCClCYvJtF2hh5jMB51NM03sz/3z/HHyWxRpp5fWCWsb/KtBtCMcQZS7cQtmIJXZ5MKOHNx3JLx3BDKz+UgkuX8oagA=
', '2026-12-04 11:38:22.201057+00');
INSERT INTO public.ledger_checkpoints VALUES (40, '\x6f5148bf7eb249146e2146f885bbc5266096ff062cf031bb464a6dc027dc48ce', 'docket.ledger/docket-f0e64b66
40
b1FIv36ySRRuIUb4hbvFJmCW/wYs8DG7RkptwCfcSM4=

— docket-f0e64b66 mCClCVrgdYkVYJiANhz+q6NW4Cd1qof9X+J2IKlwKetpcZwJzgXzIE86f8xNgeiSx5Og3YWb2/YC03meLnqfA73kAwU=
', '2026-12-04 11:38:22.228791+00');
INSERT INTO public.ledger_checkpoints VALUES (76, '\x77d1bd571cb98cfa509780d498072dff8429146c21f0eb95e46a405989b4f3d2', 'docket.ledger/docket-f0e64b66
76
d9G9Vxy5jPpQl4DUmAct/4QpFGwh8OuV5GpAWYm089I=

— docket-f0e64b66 mCClCVSenPZnVQ6D0ofomroYoxZMwJzqqxFg+TUF+78Xi0xWKhk4i7wBb5g2P+8afYMUgx4LyvvrUjA8S2erj43qPAQ=
', '2026-12-04 11:38:22.28078+00');
INSERT INTO public.ledger_checkpoints VALUES (77, '\xd3b40aadce49e9d0fdfa7fc779305ec46166a88b5d969964ee80b958f0457d09', 'docket.ledger/docket-f0e64b66
77
07QKrc5J6dD9+n/HeTBexGFmqItdlplk7oC5WPBFfQk=

— docket-f0e64b66 mCClCZ8DevbqxJLtLMcXrcciEOsB53A9vj47Rk6pe2SsMCzids+wva4oPipHlC4QEilFRGJYEZ9olF0Forgle9q3WAI=
', '2026-12-04 11:38:22.301655+00');


--
-- Data for Name: ledger_leaves; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.ledger_leaves VALUES (0, 'event', 1, '\x5790f8f58c4185e358edf398f3eb22766cf86f35b875ea49e9e280061d2a7e9b');
INSERT INTO public.ledger_leaves VALUES (1, 'event', 2, '\xb924ab9a9e594d125d20a12358f12c2fa09516ae1634e5bccbb192ef69c87423');
INSERT INTO public.ledger_leaves VALUES (2, 'event', 3, '\xf7285d0755c7e441a4e5017cb3839c5ce23e36850c82a62a3b1d7afab67c0198');
INSERT INTO public.ledger_leaves VALUES (3, 'event', 4, '\x3905ee1fc7185e10d051cf28246202d662e232ce9f7fa28a3b0803ec837ff991');
INSERT INTO public.ledger_leaves VALUES (4, 'event', 5, '\x0d7b45dd9f3866e828fd3939c8269b481bccf0d14ecac9910476e46e5a0608e0');
INSERT INTO public.ledger_leaves VALUES (5, 'event', 6, '\x2a5ace0555fcf471c1041793ed0b311c57e93f73fb53e7ee265c2d9149c9ae5b');
INSERT INTO public.ledger_leaves VALUES (6, 'event', 7, '\x22c3939a8ac2b9641babe3bad451d4b09629eef58f4fb895b3ea0df1e777b2d0');
INSERT INTO public.ledger_leaves VALUES (7, 'event', 8, '\xae57402c7aba04ef78e7c1f728dff8f57eeeb36997b51548db8500fcf0e9ef28');
INSERT INTO public.ledger_leaves VALUES (8, 'event', 9, '\xde5633a3a9ac4f3bbd0256cbe8e2c393de637f2ec3e99554342c18dfa34dd708');
INSERT INTO public.ledger_leaves VALUES (9, 'event', 10, '\x1c90cac904793f8db38ba87813a1aa80dff1dcadf1b34a910ec87a1b8a9f89a1');
INSERT INTO public.ledger_leaves VALUES (10, 'event', 11, '\xdca5058ae34bff8d0400c1bf42d63d48e77d69f7275295396ff17c06c39102b8');
INSERT INTO public.ledger_leaves VALUES (11, 'event', 12, '\xc4a02331e51f9fee3922e0f86cb97c79e2ebf2a077b7bc05e5bc2ad4f4b6a95e');
INSERT INTO public.ledger_leaves VALUES (12, 'event', 13, '\x01f3f8e286425df03331f9d2d34ea9fa2987780f907f51a6dd2db9d29b096b83');
INSERT INTO public.ledger_leaves VALUES (13, 'event', 14, '\xcbdcb6f2d89f0b4ac5e4e5a92c1a5243cf0ee30689c9a7ae0bd6133815513e81');
INSERT INTO public.ledger_leaves VALUES (14, 'event', 15, '\x31d9620b01796024c6c2652b5fadab25eb77a533aca9232f6d88218c8d74f984');
INSERT INTO public.ledger_leaves VALUES (15, 'event', 16, '\xe0dc2e2b4a6ba528d5c9d5118fa65c0e94fc885f2e072448d5cd6653daa69983');
INSERT INTO public.ledger_leaves VALUES (16, 'event', 17, '\xf7c3502df9a738a344db7ef812e022cbff8eb3f6dc5bdd4c5fcaad11dff8f9d0');
INSERT INTO public.ledger_leaves VALUES (17, 'event', 18, '\x38d8ab7e86ea152fd530ca121fd5ce3cd4c545416211a364627a0bb9ecbaecf4');
INSERT INTO public.ledger_leaves VALUES (18, 'event', 19, '\x10e1f41cf09e6efeeb8c28dd0affb9d4c327a26c7a7e8a5574da2dd4dcf7537a');
INSERT INTO public.ledger_leaves VALUES (19, 'event', 20, '\x0606fbfe4976f04f232de0279927465916e9b45412b481683007320657eb46b3');
INSERT INTO public.ledger_leaves VALUES (20, 'event', 21, '\xd2a23ad523e14deda290911eb8a6c3da4c855a91a8c6bc35e21f74cf7cbec391');
INSERT INTO public.ledger_leaves VALUES (21, 'event', 22, '\xd572cfa4c5edae25ada9f29f98a1910269b3674d9d9720bf2fd36b7379f721b0');
INSERT INTO public.ledger_leaves VALUES (22, 'event', 23, '\xccb92082deb57ed6f4d14ae3a5d6a0d772ab69a4022182ed2a07866ec9a0e0ba');
INSERT INTO public.ledger_leaves VALUES (23, 'event', 24, '\xced212d0c7b617d97478bf19ab4bb9146903bbfdcddce623288cb8b9a11037ac');
INSERT INTO public.ledger_leaves VALUES (24, 'event', 25, '\x73ae74d31168dd7754912e8d1257f98afdd000b2e554adec47797fcdb843ae15');
INSERT INTO public.ledger_leaves VALUES (25, 'event', 26, '\xa4f58d88b67dbfe42691b93f60c1e2c71caefa4592f5833aff3d60d4780a062e');
INSERT INTO public.ledger_leaves VALUES (26, 'event', 27, '\x507c7f41d485d84523af4ccbacf3c1fda94989179e03c8fc4f8bd880d0becf7a');
INSERT INTO public.ledger_leaves VALUES (27, 'event', 28, '\x451f56a3a522640c9c21f6471a32e7f7a0c4b481d2b581606bd1076255ba9cc2');
INSERT INTO public.ledger_leaves VALUES (28, 'event', 29, '\xb43b41b1855e4aa1d7af7a310ea5c43e10b21ed0726265649942b0be5e6a7153');
INSERT INTO public.ledger_leaves VALUES (29, 'event', 30, '\x8736e3e7a5f72014ff9bbed27b13b3afc304bd6bc3a05a7cf26bb483453556ee');
INSERT INTO public.ledger_leaves VALUES (30, 'event', 31, '\x9b9a131172583c9341215fba3a51611507c757047c8b950bd12a62663ef34cda');
INSERT INTO public.ledger_leaves VALUES (31, 'event', 32, '\xc4b62e9d5058f4cb4a11b2b8b1c15b1cdac87f74b8d99772fe7c51f258e92270');
INSERT INTO public.ledger_leaves VALUES (32, 'event', 33, '\xc32f4d3440dc921a9132b4b9a46b4a2b94a9eb9899c9447866bceb33346d6ee7');
INSERT INTO public.ledger_leaves VALUES (33, 'event', 34, '\xad59fe156daa02013f54a4afc0073bd7fd86f788305bf3c4ea5f250d1b12331e');
INSERT INTO public.ledger_leaves VALUES (34, 'event', 35, '\x3a550ed908bc75914673c341bda706906dd1a27f986d6b6aa2fb8f9f7e9b40b8');
INSERT INTO public.ledger_leaves VALUES (35, 'event', 36, '\x3482f296b48cdf96cb72455b5fff3090ae030d311d65e7b5a37ce33c442c0747');
INSERT INTO public.ledger_leaves VALUES (36, 'event', 37, '\x96065ee0a49e890aec0954abc342ee9adb7259ae5ffda99e3361c6308d6bf8f5');
INSERT INTO public.ledger_leaves VALUES (37, 'event', 38, '\x88ee1ff5cbc5bff5d07eccba8c39878a9c876f898c31ef0891d74f01cf8decb0');
INSERT INTO public.ledger_leaves VALUES (38, 'event', 39, '\x7c93b2f7dd94f6eac93a42f1ba591e8a6d6074a91b219e21ce8ba88a371e7a4e');
INSERT INTO public.ledger_leaves VALUES (39, 'event', 40, '\xfcf79a55f8b708cd6258bf947638630422fc3574c3dd8e085385e057b22fb30a');
INSERT INTO public.ledger_leaves VALUES (40, 'access', 1, '\x952ed0cebec7d7e6cf5f82ef820bd4cac9022b23dc92da513f4ff56741902c8f');
INSERT INTO public.ledger_leaves VALUES (41, 'access', 2, '\xa2ed966cd4d443b22cdf992de6cecb2bba697ae4439224ae1979e55c5793de2c');
INSERT INTO public.ledger_leaves VALUES (42, 'disclosure', 1, '\xd4884e81a7555ea10c9eeb5bd9571110b8d886763b8edccc3d2447699c6a7063');
INSERT INTO public.ledger_leaves VALUES (43, 'event', 41, '\x38c406b65b26be26296ff18a2274efab5a58b582f7acc8f63b0b631093df4fcb');
INSERT INTO public.ledger_leaves VALUES (44, 'event', 42, '\x79e9c3f68b75221b12ffb1b08a97c092a98744bd66324169211dee330a60af8e');
INSERT INTO public.ledger_leaves VALUES (45, 'event', 43, '\x57a51456e8c642d9fbf50c7352dc808a2286032d27cb0748047d5bc79ad4e2c0');
INSERT INTO public.ledger_leaves VALUES (46, 'event', 44, '\x5cbf3b717c8e26e23b4ef89df97166cfef32cafa162d1302c1014b867beea92c');
INSERT INTO public.ledger_leaves VALUES (47, 'event', 45, '\x2b75c44bceb972e37d75d473afe8f972d60ba131bbbba2c991bd9cdf8439ae60');
INSERT INTO public.ledger_leaves VALUES (48, 'event', 46, '\x69c5f8d5280e602ffac6df80e7c5d28dae0cd2aaab4706d93b9c34df9fabbb9d');
INSERT INTO public.ledger_leaves VALUES (49, 'event', 47, '\x0f7963444e49f789be6798533bdbd0c6d47435c2c9653c2e4e0397f720260742');
INSERT INTO public.ledger_leaves VALUES (50, 'event', 48, '\x291c46d48ebba9a3b60c390b962bcb93684ae1a7b600c8d17ccccafdef74bf3f');
INSERT INTO public.ledger_leaves VALUES (51, 'event', 49, '\x4dc5080a77b0216b22cba0df4cd2ec646cd245e00d546037357291b0ea8f09f3');
INSERT INTO public.ledger_leaves VALUES (52, 'event', 50, '\xef1b4f3c628a08c6f61baf6e7d73c3deda5ddf76f1e5de7d02633854b9888182');
INSERT INTO public.ledger_leaves VALUES (53, 'event', 51, '\xe24c4d9b5509b7338d217771d0aed887fd77f40e0b30087b83d9b74ad91c9b24');
INSERT INTO public.ledger_leaves VALUES (54, 'event', 52, '\x152949df2925d6df70e890662359db50eb766dc70a29870933f8ce0e8a2e9964');
INSERT INTO public.ledger_leaves VALUES (55, 'event', 53, '\x069aed16e9bcb93269b3fa4c258365e9d383faba7e6a092ade25d0bf85f92c00');
INSERT INTO public.ledger_leaves VALUES (56, 'event', 54, '\xa32ca9c608e787da4afa5d1ff207d594f229ee7ea273b3b8d3498dff60605cee');
INSERT INTO public.ledger_leaves VALUES (57, 'event', 55, '\x42c125c0bc2418fd08fcbac076e47e72f70600603dfafbfd874f3bd84e83e1bb');
INSERT INTO public.ledger_leaves VALUES (58, 'event', 56, '\x6509797c69ef19691e32b45632d1c226942280a54c5285782b9ef718e4ee6907');
INSERT INTO public.ledger_leaves VALUES (59, 'event', 57, '\xa5adf7a5cb0a83ac7f235397b812e2cb7db1a131e326cb9935d7c50204be8422');
INSERT INTO public.ledger_leaves VALUES (60, 'event', 58, '\xeab08e6f17a982dcc6cf8b9fa49268a35a946516fb24be108c8c60b070f61f8c');
INSERT INTO public.ledger_leaves VALUES (61, 'event', 59, '\x070c723380a9be434bdd70ef15ae2b9ec751bf53efa0d2ffc51f7c60484b4305');
INSERT INTO public.ledger_leaves VALUES (62, 'event', 60, '\x91b704545970cf12b3f74bd7d106db2e25e5c13c9fc10617e53dec955d383234');
INSERT INTO public.ledger_leaves VALUES (63, 'event', 61, '\xc50b43772cb8634d9a6061a1b47550edb29320eff544bec5dbdf7212880cb44a');
INSERT INTO public.ledger_leaves VALUES (64, 'event', 62, '\xf4cb5b89a22adccc27989171ebded48a4de682748a8286002ae3838867eb63bf');
INSERT INTO public.ledger_leaves VALUES (65, 'event', 63, '\x447332c82eeb7fdc16e8eca797a920cb024010d8b5f169055b280ed747fcea69');
INSERT INTO public.ledger_leaves VALUES (66, 'event', 64, '\x9e552128a805c203a158dd1cb6adbe0847c76c2a951c0e8d1eb248ba4d5f6d0c');
INSERT INTO public.ledger_leaves VALUES (67, 'event', 65, '\x52b1ec23e6dffb10b6f797b76797b0286fbe7746129080f3db289987dab76c4b');
INSERT INTO public.ledger_leaves VALUES (68, 'event', 66, '\x7bf2c2c000385b003151b29ede7e1e0b7eb9fce49a1b1874a3b42c46e7089fba');
INSERT INTO public.ledger_leaves VALUES (69, 'event', 67, '\x8ba892bc4c80935656c5b9b998503703bbf16b2974e515d1a71216fa66154431');
INSERT INTO public.ledger_leaves VALUES (70, 'event', 68, '\xf5a89d934ad71658a666db91797fe47c4d6753ed9a9d5ec5c47f78fea84e1456');
INSERT INTO public.ledger_leaves VALUES (71, 'event', 69, '\x573e5e8f8157ebe154013895ac239081b3c63e2a990c3641cf32bfb59fde62f5');
INSERT INTO public.ledger_leaves VALUES (72, 'event', 70, '\x335ec6d06f07b34f010bda3b6e1259132aba394247b79c8df95f9455ac9498a0');
INSERT INTO public.ledger_leaves VALUES (73, 'event', 71, '\x5a8ed056d9f336a9056a16199bd0d49818f0a8ef9561f6a3dc8e43374ba5297d');
INSERT INTO public.ledger_leaves VALUES (74, 'event', 72, '\x4a474b57282a9bdbc7a24af1d697132733d586c8d54b4314d676ce07b953e515');
INSERT INTO public.ledger_leaves VALUES (75, 'event', 73, '\x6903b70059317432260021cc7ab1c37562530f3d717a151393acc621e2256750');
INSERT INTO public.ledger_leaves VALUES (76, 'access', 3, '\x7cbd56b4a6ef1418d84334bfcea6e8a827d0e5bfdc9587d039587f42e42b8aad');


--
-- Data for Name: ledger_nodes; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.ledger_nodes VALUES (4, 0, '\x8b0111e58159f95be1e3083eeece7a2b6a6f163d52b49d62f96fb7378e38075a');
INSERT INTO public.ledger_nodes VALUES (4, 1, '\x4fc12a4d9810fb377b61c2cf7627a64885e26bc70801c8e7d1d00b04e2b6aa09');
INSERT INTO public.ledger_nodes VALUES (5, 0, '\x3569b5f32bfcabe2137976b431f2a52f36d1abfa88e1c5e9df7e2c16cea1aced');
INSERT INTO public.ledger_nodes VALUES (4, 2, '\xc7fd6918a30e28d15e76cde527b9a618538711542184d5ff57e64adc1ec59fd3');
INSERT INTO public.ledger_nodes VALUES (4, 3, '\x7c820a76537bd7d056eea9c2ad1bec5fd27c265543f454f202cca4587956972b');
INSERT INTO public.ledger_nodes VALUES (5, 1, '\x81c78f225e83685a6463ac2ddd519ae4c0e7fffbc8ccb1def59a0fd9272579cf');
INSERT INTO public.ledger_nodes VALUES (6, 0, '\x877d5f2cc173e03bc2c6d4acd4ae1a229681e26b394056033ed88a17aea53793');


--
-- Data for Name: ledger_size; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.ledger_size VALUES (1, 77);


--
-- Data for Name: persons; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.persons VALUES ('P000000000', 'A291809704', 'Javier José', 'Ramírez López', 'given_first', 'JAVIER JOSE', 'RAMIREZ LOPEZ', '', '1972-12-23', 'M', 'HND', 'B0890936', 'HND', '2022-05-08');
INSERT INTO public.persons VALUES ('P000000001', 'A246266659', 'Leidy', 'Ramírez Medrano', 'given_first', 'LEIDY', 'RAMIREZ MEDRANO', '', '1998-12-04', 'F', 'GTM', '440852524', 'GTM', '2033-04-26');
INSERT INTO public.persons VALUES ('P000000002', 'A272704300', 'Elizabeth Génesis', 'Salas Ortiz', 'given_first', 'ELIZABETH GENESIS', 'SALAS ORTIZ', '', '2005-06-18', 'F', 'MEX', NULL, NULL, NULL);
INSERT INTO public.persons VALUES ('P000000003', 'A287564959', 'Dayana Nicole', 'Corado Díaz', 'given_first', 'DAYANA NICOLE', 'CORADO DIAZ', 'Dayana Nicole|Corado;Dayana Nicole|Corado-Diaz;Dayana Nicole|Corado Diaz', '1994-10-10', 'F', 'HND', NULL, NULL, NULL);
INSERT INTO public.persons VALUES ('P000000004', 'A283297121', 'Juan', 'Valle Portillo', 'given_first', 'JUAN', 'VALLE PORTILLO', '', '1971-07-01', 'M', 'CUB', 'R1443311', 'CUB', '2029-06-04');
INSERT INTO public.persons VALUES ('P000000005', 'A222588669', 'Melissa Ana', 'Esquivel Pérez', 'given_first', 'MELISSA ANA', 'ESQUIVEL PEREZ', '', '1994-12-09', 'F', 'NIC', NULL, NULL, NULL);
INSERT INTO public.persons VALUES ('P000000006', 'A260401656', 'Marie Lourdie', 'Joseph', 'given_first', 'MARIE LOURDIE', 'JOSEPH', '', '2003-03-07', 'F', 'HTI', 'WR5783753', 'HTI', '2035-09-22');
INSERT INTO public.persons VALUES ('P000000007', 'A260143120', 'María Susana', 'Silva Herrera', 'given_first', 'MARIA SUSANA', 'SILVA HERRERA', '', '2006-07-12', 'U', 'HND', 'Z6534790', 'HND', '2033-03-07');
INSERT INTO public.persons VALUES ('P000000008', 'A236589169', 'Edgar Víctor', 'Segovia Vásquez', 'given_first', 'EDGAR VICTOR', 'SEGOVIA VASQUEZ', '', '1993-08-23', 'M', 'MEX', 'G50955618', 'MEX', '2028-10-03');
INSERT INTO public.persons VALUES ('P000000009', 'A262682011', 'Carmen', 'Villatoro Sánchez', 'given_first', 'CARMEN', 'VILLATORO SANCHEZ', '', '1993-07-27', 'F', 'HND', 'E44186925', 'HND', '2031-01-26');
INSERT INTO public.persons VALUES ('P000000010', 'A274607233', 'Javier', 'Ramírez Reyes', 'given_first', 'JAVIER', 'RAMIREZ REYES', '', '1998-04', 'M', 'VEN', '542405739', 'VEN', '2036-02-13');
INSERT INTO public.persons VALUES ('P000000011', 'A205228673', 'Luis', 'Hernández González', 'given_first', 'LUIS', 'HERNANDEZ GONZALEZ', '', '2008-11-16', 'M', 'MEX', 'N19895502', 'MEX', '2032-10-02');


--
-- Data for Name: schema_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schema_migrations VALUES (1, '2026-12-04 11:38:22.176257+00');
INSERT INTO public.schema_migrations VALUES (2, '2026-12-04 11:38:22.176257+00');


--
-- Name: access_log_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.access_log_id_seq', 3, true);


--
-- Name: disclosures_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.disclosures_id_seq', 1, true);


--
-- Name: events_position_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.events_position_seq', 73, true);


--
-- Name: access_log access_log_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.access_log
    ADD CONSTRAINT access_log_pkey PRIMARY KEY (id);


--
-- Name: case_projection case_projection_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.case_projection
    ADD CONSTRAINT case_projection_pkey PRIMARY KEY (case_id);


--
-- Name: disclosures disclosures_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.disclosures
    ADD CONSTRAINT disclosures_pkey PRIMARY KEY (id);


--
-- Name: events events_case_id_idempotency_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_case_id_idempotency_key_key UNIQUE (case_id, idempotency_key);


--
-- Name: events events_case_id_version_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_case_id_version_key UNIQUE (case_id, version);


--
-- Name: events events_event_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_event_id_key UNIQUE (event_id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY ("position");


--
-- Name: ledger_checkpoints ledger_checkpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_checkpoints
    ADD CONSTRAINT ledger_checkpoints_pkey PRIMARY KEY (size);


--
-- Name: ledger_leaves ledger_leaves_kind_record_ref_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_leaves
    ADD CONSTRAINT ledger_leaves_kind_record_ref_key UNIQUE (kind, record_ref);


--
-- Name: ledger_leaves ledger_leaves_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_leaves
    ADD CONSTRAINT ledger_leaves_pkey PRIMARY KEY (leaf_index);


--
-- Name: ledger_nodes ledger_nodes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_nodes
    ADD CONSTRAINT ledger_nodes_pkey PRIMARY KEY (level, idx);


--
-- Name: ledger_size ledger_size_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_size
    ADD CONSTRAINT ledger_size_pkey PRIMARY KEY (id);


--
-- Name: persons persons_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.persons
    ADD CONSTRAINT persons_pkey PRIMARY KEY (person_id);


--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: access_log_record; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX access_log_record ON public.access_log USING btree (record_kind, record_id);


--
-- Name: case_projection_person; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX case_projection_person ON public.case_projection USING btree (person_id);


--
-- Name: disclosures_person; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX disclosures_person ON public.disclosures USING btree (person_id);


--
-- Name: persons_a_number; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX persons_a_number ON public.persons USING btree (a_number);


--
-- Name: persons_family_folded; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX persons_family_folded ON public.persons USING btree (family_folded);


--
-- PostgreSQL database dump complete
--



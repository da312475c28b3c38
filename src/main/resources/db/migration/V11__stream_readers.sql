-- Open stream readers per owner, across replicas: a row per open reader (a turn's own stream or a
-- resume), renewed by the replica serving it like a turn's lease, deleted when it closes; a dead
-- replica's readers stop counting when their lease expires.
create table stream_reader (
    id        uuid         primary key,
    owner     varchar(255) not null,
    until     timestamptz  not null
);
create index stream_reader_owner_idx on stream_reader (owner);

"""Boot with a radio that behaves like the Pico W's (simulated): the MAC only exists once the
chip has started, and a chip that fails to start gives the access point no address. The access
point is named after the real MAC (else machine.unique_id()), and a dead radio is reported as
such, retried with a growing pause and ends in a reset, never announced as a working network."""
RESET_EXIT_CODE = 77  # the simulated machine.reset() (scripts/sim/machine.py) exits with it

HOME = {'ssid': 'home', 'password': 'secret', 'rssi': -50}


def test_ap_name_uses_the_mac_read_after_the_chip_started(board):
    board.world(networks=[HOME], mac_after_start=True, unique_id='0000000000000000')
    board.write('config.json', {'hostname': 'lamp'})
    board.boot()
    board.wait_for('portal: serving on port')
    assert "wifi: access point 'lamp-2030' at 127.0.0.1" in board.output
    assert 'lamp-0000' not in board.output


def test_ap_name_falls_back_to_unique_id_when_the_mac_stays_zero(board):
    # the radio starts late: first attempt without an address, then it comes up
    board.world(networks=[HOME], radio=False, unique_id='e66038b7134a5f2c')
    board.write('config.json', {'hostname': 'lamp'})
    board.boot(radio_wait_s=60)
    board.wait_for('retrying in 1s')
    board.world(networks=[HOME], radio=True, unique_id='e66038b7134a5f2c')
    board.wait_for('portal: serving on port')
    assert "wifi: access point 'lamp-5F2C' at 127.0.0.1" in board.output


def test_dead_radio_is_reported_retried_and_resets_the_board(board):
    board.world(networks=[HOME], radio=False, unique_id='e66038b7134a5f2c')
    board.write('config.json', {'hostname': 'lamp',
                                'networks': [{'ssid': 'home', 'password': 'secret'}]})
    board.boot(radio_wait_s=3, connect_timeout=1, retries=1)
    assert board.wait_exit(30) == RESET_EXIT_CODE
    out = board.output
    assert "could not join 'home'" in out or "connect to home failed" in out
    assert 'the radio did not start (no address); retrying in 1s' in out
    assert 'retrying in 2s' in out
    assert 'the radio did not start within 3s: resetting the board' in out
    assert '0.0.0.0' not in out  # never announced as a working access point
    assert 'join Wi-Fi' not in out and 'serving at' not in out
    assert '[sim] machine.reset()' in out
